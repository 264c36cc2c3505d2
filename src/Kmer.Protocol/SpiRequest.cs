using MessagePack;

namespace Kmer.Protocol;

/// <summary><c>spi</c>, worker → client: run a statement in the caller's transaction.</summary>
/// <param name="Id">The call it belongs to.</param>
/// <param name="Seq">Sequence number, increasing per call; the answer carries the same one.</param>
/// <param name="Sql">The statement, with <c>$1</c>… placeholders.</param>
/// <param name="Params">The parameter values, as MessagePack natives (see <see cref="Call.Args"/>).</param>
/// <param name="ParamTypes">The parameters' type names, e.g. <c>text</c>, <c>int8</c>, <c>int8[]</c>; as many as <paramref name="Params"/>.</param>
/// <param name="ReadOnly">Whether the statement must not write.</param>
public sealed record SpiRequest(
    long Id,
    long Seq,
    string Sql,
    IReadOnlyList<object?> Params,
    IReadOnlyList<string> ParamTypes,
    bool ReadOnly) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "spi";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 6;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
        WireWriter.Required(Params, "params", TypeName);
        WireWriter.Required(ParamTypes, "param_types", TypeName);
        if (Params.Count != ParamTypes.Count)
        {
            throw new ArgumentException($"An \"spi\" message has {Params.Count} params but {ParamTypes.Count} param_types.", nameof(ParamTypes));
        }

        WireWriter.Int64(ref writer, "id", Id);
        WireWriter.Int64(ref writer, "seq", Seq);
        WireWriter.String(ref writer, "sql", Sql, TypeName);
        WireWriter.Values(ref writer, "params", Params, TypeName);
        WireWriter.Strings(ref writer, "param_types", ParamTypes, TypeName);
        WireWriter.Boolean(ref writer, "read_only", ReadOnly);
    }

    internal static SpiRequest Read(FieldMap fields)
    {
        object?[] parameters = fields.Array("params");
        string[] types = fields.StringArray("param_types");
        if (parameters.Length != types.Length)
        {
            throw ProtocolException.Violation($"\"spi\" message has {parameters.Length} params but {types.Length} param_types");
        }

        return new(fields.Int64("id"), fields.Int64("seq"), fields.String("sql"), parameters, types, fields.Boolean("read_only"));
    }
}
