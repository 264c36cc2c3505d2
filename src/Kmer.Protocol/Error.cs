using MessagePack;

namespace Kmer.Protocol;

/// <summary>
/// <c>error</c>, worker → client: the call failed (ends the call), or, with no
/// id, the connection failed before a call (e.g. a protocol version mismatch).
/// The client re-raises it with the same SQLSTATE, message, detail and hint.
/// </summary>
/// <param name="Id">The call it ends, or null before a call.</param>
/// <param name="SqlState">The SQLSTATE.</param>
/// <param name="Message">The primary message.</param>
/// <param name="Detail">Optional DETAIL.</param>
/// <param name="Hint">Optional HINT.</param>
public sealed record Error(long? Id, string SqlState, string Message, string? Detail = null, string? Hint = null) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "error";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 5;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
        WireWriter.NullableInt64(ref writer, "id", Id);
        WireWriter.String(ref writer, "sqlstate", SqlState, TypeName);
        WireWriter.String(ref writer, "message", Message, TypeName);
        WireWriter.NullableString(ref writer, "detail", Detail);
        WireWriter.NullableString(ref writer, "hint", Hint);
    }

    internal static Error Read(FieldMap fields) =>
        new(fields.NullableInt64("id"),
            fields.SqlState("sqlstate"),
            fields.String("message"),
            fields.OptionalString("detail"),
            fields.OptionalString("hint"));
}
