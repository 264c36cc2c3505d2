using Kmer.Protocol;

namespace Kmer.Worker.Diagnostics;

/// <summary><c>diagnostics.notice(level text, message text, detail text, hint text)</c>: sends that notice (level DEBUG, INFO, NOTICE or WARNING) and returns NULL.</summary>
internal sealed class NoticeHandler : ICallHandler
{
    public const string HandlerName = "diagnostics.notice";

    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        string levelName = DiagnosticArgs.Text(context, 0, "level");
        NoticeLevel level = levelName.ToUpperInvariant() switch
        {
            "DEBUG" => NoticeLevel.Debug,
            "INFO" => NoticeLevel.Info,
            "NOTICE" => NoticeLevel.Notice,
            "WARNING" => NoticeLevel.Warning,
            _ => throw new CallFailedException(DiagnosticArgs.InvalidParameterValue, $"invalid notice level \"{levelName}\"", hint: "Use DEBUG, INFO, NOTICE or WARNING."),
        };
        string message = DiagnosticArgs.Text(context, 1, "message");
        string? detail = DiagnosticArgs.NullableText(context, 2, "detail");
        string? hint = DiagnosticArgs.NullableText(context, 3, "hint");
        await context.SendNoticeAsync(level, message, detail, hint, cancellationToken).ConfigureAwait(false);
        return null;
    }
}
