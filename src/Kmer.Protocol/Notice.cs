using MessagePack;

namespace Kmer.Protocol;

/// <summary><c>notice</c>, worker → client: a message (e.g. progress) raised in the caller's session.</summary>
/// <param name="Id">The call it belongs to.</param>
/// <param name="Level">The level it is raised at.</param>
/// <param name="Message">The primary message.</param>
/// <param name="Detail">Optional DETAIL.</param>
/// <param name="Hint">Optional HINT.</param>
public sealed record Notice(long Id, NoticeLevel Level, string Message, string? Detail = null, string? Hint = null) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "notice";

    private static readonly Dictionary<string, NoticeLevel> Levels = new(StringComparer.Ordinal)
    {
        ["DEBUG"] = NoticeLevel.Debug,
        ["INFO"] = NoticeLevel.Info,
        ["NOTICE"] = NoticeLevel.Notice,
        ["WARNING"] = NoticeLevel.Warning,
    };

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 5;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
        WireWriter.Int64(ref writer, "id", Id);
        WireWriter.String(ref writer, "level", Level switch
        {
            NoticeLevel.Debug => "DEBUG",
            NoticeLevel.Info => "INFO",
            NoticeLevel.Notice => "NOTICE",
            NoticeLevel.Warning => "WARNING",
            _ => throw new ArgumentOutOfRangeException(nameof(Level), Level, "Unknown notice level."),
        }, TypeName);
        WireWriter.String(ref writer, "message", Message, TypeName);
        WireWriter.NullableString(ref writer, "detail", Detail);
        WireWriter.NullableString(ref writer, "hint", Hint);
    }

    internal static Notice Read(FieldMap fields) =>
        new(fields.Int64("id"),
            fields.Choice("level", Levels),
            fields.String("message"),
            fields.OptionalString("detail"),
            fields.OptionalString("hint"));
}
