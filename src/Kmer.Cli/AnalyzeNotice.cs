namespace Kmer.Cli;

/// <summary>A notice the server sent during the analysis (INFO progress messages, warnings), with when it arrived.</summary>
/// <param name="Time">When the client received it.</param>
/// <param name="Severity">The non-localized severity: INFO, NOTICE, WARNING, …</param>
/// <param name="Message">The primary message.</param>
/// <param name="Detail">DETAIL, or null.</param>
/// <param name="Hint">HINT, or null.</param>
public sealed record AnalyzeNotice(DateTimeOffset Time, string Severity, string Message, string? Detail = null, string? Hint = null);
