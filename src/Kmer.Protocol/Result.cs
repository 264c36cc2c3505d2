using MessagePack;

namespace Kmer.Protocol;

/// <summary><c>result</c>, worker → client: the call succeeded; ends the call.</summary>
/// <param name="Id">The call it ends.</param>
/// <param name="Value">
/// A scalar (null for SQL NULL), a map (one composite row, by column name) or
/// an array of maps (a set of rows), as MessagePack natives.
/// </param>
public sealed record Result(long Id, object? Value) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "result";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 2;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
        WireWriter.Int64(ref writer, "id", Id);
        WireWriter.Value(ref writer, "value", Value);
    }

    internal static Result Read(FieldMap fields) => new(fields.Int64("id"), fields.Value("value"));
}
