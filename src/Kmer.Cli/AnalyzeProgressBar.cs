using System.Globalization;
using System.Text;

namespace Kmer.Cli;

/// <summary>
/// The progress of <c>kmer-cli analyze</c> on a terminal: one line redrawn in
/// place with <c>\r</c>, e.g.
/// <c>[##########--------------]  41.7%  0:12  8340/20000 rows  job 17  counting…</c>.
/// The fraction is the job's progress from <c>kmersearch_worker_status()</c>,
/// else rows processed / total rows when the INFO messages tell them; while
/// neither is known a block moves back and forth. The last INFO message shows
/// at the end of the line (what follows its first "<c>: </c>", as the messages
/// name the analysis first); other notices (warnings) are printed above it.
/// </summary>
public sealed class AnalyzeProgressBar : AnalyzeProgress
{
    /// <summary>Cells between the brackets.</summary>
    public const int BarCells = 24;

    private const int BlockCells = 6;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly TextWriter _output;
    private readonly int _width;
    private readonly DateTimeOffset _start;
    private readonly Lock _lock = new();
    private double? _progress;
    private long? _job;
    private long? _rowsProcessed;
    private long? _rowsTotal;
    private string? _phase;
    private int _drawn;
    private bool _finished;

    /// <summary>Creates the bar; nothing is drawn until the first event.</summary>
    /// <param name="output">The terminal.</param>
    /// <param name="width">The terminal's width in columns; lines are cut to one less.</param>
    /// <param name="start">When the call started; the elapsed time counts from it.</param>
    public AnalyzeProgressBar(TextWriter output, int width, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _width = Math.Max(width, 40);
        _start = start;
    }

    /// <inheritdoc/>
    public override void OnNotice(AnalyzeNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        lock (_lock)
        {
            if (_finished)
            {
                return;
            }

            if (AnalyzeProgressRows.TryParse(notice.Message, out long? processed, out long? total))
            {
                _rowsProcessed = processed ?? _rowsProcessed;
                _rowsTotal = total ?? _rowsTotal;
                // The total at the start is the planner's estimate; the rows read may pass it.
                if (_rowsProcessed > _rowsTotal)
                {
                    _rowsTotal = _rowsProcessed;
                }
            }

            if (IsInfo(notice.Severity))
            {
                _phase = Phase(notice.Message);
            }
            else
            {
                Clear();
                _output.WriteLine($"{notice.Severity}:  {OneLine(notice.Message)}");
            }

            Draw(notice.Time);
        }
    }

    /// <inheritdoc/>
    public override void OnSample(AnalyzeJobSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        lock (_lock)
        {
            _job = sample.Job ?? _job;
            if (sample.Job is not null)
            {
                _progress = sample.Progress;
            }
        }
    }

    /// <inheritdoc/>
    public override void OnTick(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_finished)
            {
                Draw(now);
            }
        }
    }

    /// <inheritdoc/>
    public override void Finish(DateTimeOffset now, bool succeeded)
    {
        lock (_lock)
        {
            if (_finished)
            {
                return;
            }

            if (succeeded)
            {
                _progress = 1;
                if (_rowsTotal is long total)
                {
                    _rowsProcessed = total;
                }
            }

            Draw(now);
            _output.WriteLine();
            _output.Flush();
            _finished = true;
        }
    }

    /// <summary>The line as it would be drawn at <paramref name="now"/> (without the <c>\r</c> and padding).</summary>
    public string Render(DateTimeOffset now)
    {
        lock (_lock)
        {
            return Compose(now);
        }
    }

    /// <summary>Elapsed time as <c>m:ss</c>, or <c>h:mm:ss</c> from one hour.</summary>
    public static string FormatElapsed(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero)
        {
            elapsed = TimeSpan.Zero;
        }

        return elapsed.TotalHours >= 1
            ? string.Create(Invariant, $"{(int)elapsed.TotalHours}:{elapsed.Minutes:00}:{elapsed.Seconds:00}")
            : string.Create(Invariant, $"{elapsed.Minutes}:{elapsed.Seconds:00}");
    }

    private string Compose(DateTimeOffset now)
    {
        TimeSpan elapsed = now - _start;
        double? fraction = _progress
            ?? (_rowsProcessed is long processed && _rowsTotal is long total && total > 0 ? (double)processed / total : null);
        var line = new StringBuilder();
        line.Append('[').Append(fraction is double f ? Filled(f) : Moving(elapsed)).Append(']');
        line.Append(fraction is double g ? string.Create(Invariant, $" {Math.Clamp(g, 0, 1) * 100,5:0.0}%") : "     ?%");
        line.Append("  ").Append(FormatElapsed(elapsed));
        string? rows = (_rowsProcessed, _rowsTotal) switch
        {
            (long done, long all) => string.Create(Invariant, $"{done}/{all} rows"),
            (null, long all) => string.Create(Invariant, $"{all} rows"),
            (long done, null) => string.Create(Invariant, $"{done} rows"),
            _ => null,
        };
        if (rows is not null)
        {
            line.Append("  ").Append(rows);
        }

        line.Append("  ").Append(_job is long job ? string.Create(Invariant, $"job {job}") : "waiting for the worker pool");
        if (_phase is not null)
        {
            line.Append("  ").Append(_phase);
        }

        int max = _width - 1;
        return line.Length <= max ? line.ToString() : line.ToString(0, max - 1) + "…";
    }

    private static string Filled(double fraction)
    {
        int cells = (int)Math.Floor(Math.Clamp(fraction, 0, 1) * BarCells);
        return new string('#', cells) + new string('-', BarCells - cells);
    }

    // A block that moves one cell per 250 ms, back and forth, while the fraction is unknown.
    private static string Moving(TimeSpan elapsed)
    {
        int span = BarCells - BlockCells;
        int step = (int)(Math.Max(0, elapsed.TotalMilliseconds) / 250) % (2 * span);
        int at = step <= span ? step : 2 * span - step;
        return new string(' ', at) + new string('#', BlockCells) + new string(' ', BarCells - BlockCells - at);
    }

    private void Draw(DateTimeOffset now)
    {
        string line = Compose(now);
        _output.Write('\r');
        _output.Write(line);
        if (_drawn > line.Length)
        {
            _output.Write(new string(' ', _drawn - line.Length));
        }

        _drawn = line.Length;
        _output.Flush();
    }

    private void Clear()
    {
        if (_drawn > 0)
        {
            _output.Write('\r');
            _output.Write(new string(' ', _drawn));
            _output.Write('\r');
            _drawn = 0;
        }
    }

    // The messages name the analysis first ("high-frequency k-mer analysis of public.reads.seq: 85600 rows read, …"):
    // the line shows what follows the first ": ", which changes from message to message.
    private static string Phase(string message)
    {
        string line = OneLine(message);
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && colon + 2 < line.Length ? line[(colon + 2)..] : line;
    }

    private static bool IsInfo(string severity) => severity is "INFO" or "LOG" or "DEBUG";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
