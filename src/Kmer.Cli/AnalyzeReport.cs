using System.Globalization;
using Npgsql;

namespace Kmer.Cli;

/// <summary>
/// Writes the outcome of <c>kmer-cli analyze</c>: the result as an aligned
/// table or one JSON object (snake_case, the <c>kmersearch_analysis_result</c>
/// field names); errors as <c>ERROR SQLSTATE: message</c> with
/// <c>DETAIL:</c>/<c>HINT:</c> lines on stderr, and with <c>--json</c> also as a
/// JSON object on stdout (<c>status</c> <c>error</c>, <c>cannot_connect</c> or
/// <c>cancelled</c>), so that scripts get an object either way.
/// </summary>
public static class AnalyzeReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the result as text.</summary>
    public static void WriteText(TextWriter output, AnalyzeResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        output.WriteLine(string.Create(Invariant,
            $"high-frequency k-mer analysis of {result.Table}.{result.Column}: {result.HighfreqKmersCount} high-frequency k-mers in {result.TotalRows} rows ({Seconds(result.Elapsed):0.0##} s)"));
        List<(string Label, string Value)> rows =
        [
            ("total_rows", Number(result.TotalRows)),
            ("highfreq_kmers_count", Number(result.HighfreqKmersCount)),
            ("parallel_workers_used", Number(result.ParallelWorkersUsed)),
            ("max_appearance_rate_used", result.MaxAppearanceRateUsed.ToString("R", Invariant)),
            ("max_appearance_nrow_used", Number(result.MaxAppearanceNrowUsed) + "  (rows; a k-mer in more rows is high-frequency)"),
        ];
        foreach ((string name, string? value) in result.Settings)
        {
            rows.Add((name, value ?? "(not defined on this server)"));
        }

        rows.Add(("elapsed", string.Create(Invariant, $"{Seconds(result.Elapsed):0.000} s")));
        int width = rows.Max(r => r.Label.Length);
        foreach ((string label, string value) in rows)
        {
            output.WriteLine($"  {label.PadRight(width)}  {value}");
        }
    }

    /// <summary>Writes the result as one JSON object.</summary>
    public static void WriteJson(TextWriter output, AnalyzeResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        StatusReport.WriteJsonObject(output, json =>
        {
            json.WriteString("status", "ok");
            json.WriteString("table", result.Table);
            json.WriteString("column", result.Column);
            json.WriteNumber("total_rows", result.TotalRows);
            json.WriteNumber("highfreq_kmers_count", result.HighfreqKmersCount);
            json.WriteNumber("parallel_workers_used", result.ParallelWorkersUsed);
            // The real as PostgreSQL prints it (0.5, not 0.5000000000000001).
            json.WriteNumber("max_appearance_rate_used", double.Parse(result.MaxAppearanceRateUsed.ToString("R", Invariant), Invariant));
            json.WriteNumber("max_appearance_nrow_used", result.MaxAppearanceNrowUsed);
            json.WriteStartObject("settings");
            foreach ((string name, string? value) in result.Settings)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            json.WriteNumber("elapsed_seconds", Math.Round(Seconds(result.Elapsed), 3));
        });
    }

    /// <summary>Writes a server error to <paramref name="error"/>: <c>kmer-cli: ERROR 42P01: message</c>, then DETAIL, HINT and WHERE lines.</summary>
    public static void WriteSqlError(TextWriter error, PostgresException exception)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(exception);
        error.WriteLine($"kmer-cli: {exception.Severity} {exception.SqlState}: {exception.MessageText}");
        WriteField(error, "DETAIL", exception.Detail);
        WriteField(error, "HINT", exception.Hint);
        WriteField(error, "CONTEXT", exception.Where);
    }

    /// <summary>Writes a failure as one JSON object: <paramref name="status"/> and, for a server error, its fields.</summary>
    public static void WriteFailureJson(TextWriter output, string status, string message, PostgresException? exception = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        StatusReport.WriteJsonObject(output, json =>
        {
            json.WriteString("status", status);
            json.WriteString("message", exception?.MessageText ?? message);
            if (exception is not null)
            {
                json.WriteString("sqlstate", exception.SqlState);
                json.WriteString("detail", exception.Detail);
                json.WriteString("hint", exception.Hint);
            }
        });
    }

    private static void WriteField(TextWriter error, string label, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            error.WriteLine($"{label}:  {value.ReplaceLineEndings(Environment.NewLine + "        ")}");
        }
    }

    private static string Number(long value) => value.ToString(Invariant);

    private static double Seconds(TimeSpan elapsed) => elapsed.TotalSeconds;
}
