namespace Kmer.Cli;

/// <summary>Where <c>kmer-cli analyze</c> writes, and what kind of output the progress goes to.</summary>
/// <param name="Out">Standard output: the result, and the progress unless <c>--json</c>.</param>
/// <param name="Error">Standard error: errors, and the progress with <c>--json</c>.</param>
/// <param name="ProgressIsTerminal">Whether the progress's stream is a terminal: a redrawn bar, else timestamped lines.</param>
/// <param name="Width">The terminal's width in columns.</param>
public sealed record AnalyzeConsole(TextWriter Out, TextWriter Error, bool ProgressIsTerminal, int Width = 80);
