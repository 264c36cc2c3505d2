using System.Globalization;
using System.Text;

namespace Kmer.Cli;

/// <summary>
/// The progress of <c>kmer-cli analyze</c> when the output is not a terminal:
/// one line per notice the server relays, prefixed with the local time it
/// arrived (<c>2026-11-24 09:30:01  INFO  message</c>, then
/// <c>DETAIL: …</c> and <c>HINT: …</c> on the same line), and one line when
/// the worker pool's job is first seen, giving its id for <c>kmer-cli cancel</c>.
/// </summary>
public sealed class AnalyzeProgressLines : AnalyzeProgress
{
    private readonly TextWriter _output;
    private readonly TimeZoneInfo _timeZone;
    private readonly Lock _lock = new();
    private bool _jobSeen;

    /// <summary>Creates the writer.</summary>
    /// <param name="output">Where the lines go.</param>
    /// <param name="timeZone">The time zone of the timestamps (the local one in the command).</param>
    public AnalyzeProgressLines(TextWriter output, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(timeZone);
        _output = output;
        _timeZone = timeZone;
    }

    /// <inheritdoc/>
    public override void OnNotice(AnalyzeNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var line = new StringBuilder(notice.Message.ReplaceLineEndings(" "));
        if (!string.IsNullOrWhiteSpace(notice.Detail))
        {
            line.Append("  DETAIL: ").Append(notice.Detail.ReplaceLineEndings(" "));
        }

        if (!string.IsNullOrWhiteSpace(notice.Hint))
        {
            line.Append("  HINT: ").Append(notice.Hint.ReplaceLineEndings(" "));
        }

        Write(notice.Time, notice.Severity, line.ToString());
    }

    /// <inheritdoc/>
    public override void OnSample(AnalyzeJobSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Job is not long job)
        {
            return;
        }

        lock (_lock)
        {
            if (_jobSeen)
            {
                return;
            }

            _jobSeen = true;
        }

        string pool = sample.PoolPid is int pid ? string.Create(CultureInfo.InvariantCulture, $" (pool pid {pid})") : "";
        Write(sample.Time, "JOB", string.Create(CultureInfo.InvariantCulture, $"worker pool job {job}{pool}"));
    }

    /// <inheritdoc/>
    public override void OnTick(DateTimeOffset now)
    {
    }

    /// <inheritdoc/>
    public override void Finish(DateTimeOffset now, bool succeeded)
    {
        lock (_lock)
        {
            _output.Flush();
        }
    }

    /// <summary>The timestamp of a line: local date and time to the second.</summary>
    public string Timestamp(DateTimeOffset time) =>
        TimeZoneInfo.ConvertTime(time, _timeZone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private void Write(DateTimeOffset time, string label, string text)
    {
        lock (_lock)
        {
            _output.WriteLine($"{Timestamp(time)}  {label}  {text}");
            _output.Flush();
        }
    }
}
