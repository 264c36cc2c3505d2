using MessagePack;

namespace Kmer.Protocol;

/// <summary>
/// <c>spi_error</c>, client → worker: the statement of an <see cref="SpiRequest"/>
/// failed. The caller's transaction is now aborted, so the worker must end the
/// call with an <see cref="Error"/>.
/// </summary>
/// <param name="Id">The call it belongs to.</param>
/// <param name="Seq">The <see cref="SpiRequest.Seq"/> it answers.</param>
/// <param name="SqlState">The statement's SQLSTATE.</param>
/// <param name="Message">The primary message.</param>
/// <param name="Detail">Optional DETAIL.</param>
/// <param name="Hint">Optional HINT.</param>
public sealed record SpiError(long Id, long Seq, string SqlState, string Message, string? Detail = null, string? Hint = null) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "spi_error";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 6;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
        WireWriter.Int64(ref writer, "id", Id);
        WireWriter.Int64(ref writer, "seq", Seq);
        WireWriter.String(ref writer, "sqlstate", SqlState, TypeName);
        WireWriter.String(ref writer, "message", Message, TypeName);
        WireWriter.NullableString(ref writer, "detail", Detail);
        WireWriter.NullableString(ref writer, "hint", Hint);
    }

    internal static SpiError Read(FieldMap fields) =>
        new(fields.Int64("id"),
            fields.Int64("seq"),
            fields.SqlState("sqlstate"),
            fields.String("message"),
            fields.OptionalString("detail"),
            fields.OptionalString("hint"));
}
