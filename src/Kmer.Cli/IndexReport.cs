using System.Globalization;
using System.Text;

namespace Kmer.Cli;

/// <summary>
/// Writes the result of <c>kmer-cli index</c>: a headline and one aligned row
/// per partition (failed ones with their error), or one JSON object with the
/// function's rows under <c>partitions</c> (column names as in SQL). Errors
/// are written as for <c>analyze</c> (<see cref="AnalyzeReport"/>).
/// </summary>
public static class IndexReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly string[] Headers = ["partition", "index", "rows", "ms", "pid", "status"];

    /// <summary>The <c>status</c> of the JSON object: <c>ok</c>, or <c>partial</c> when some partitions failed.</summary>
    public static string Status(IndexResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Failed == 0 ? "ok" : "partial";
    }

    /// <summary>Writes the result as text.</summary>
    public static void WriteText(TextWriter output, IndexResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        long rows = result.Partitions.Sum(p => p.Rows);
        output.WriteLine(string.Create(Invariant,
            $"k-mer index of {result.Table}.{result.Column}: {result.Succeeded} of {result.Partitions.Count} partitions indexed, {rows} rows ({result.Elapsed.TotalSeconds:0.0##} s)"));
        if (result.Partitions.Count > 0)
        {
            List<string[]> cells = [Headers, .. result.Partitions.Select(Cells)];
            int[] widths = [.. Enumerable.Range(0, Headers.Length).Select(c => cells.Max(r => r[c].Length))];
            foreach (string[] row in cells)
            {
                var line = new StringBuilder("  ");
                for (int c = 0; c < row.Length; c++)
                {
                    bool last = c == row.Length - 1;
                    bool number = c is 2 or 3 or 4;
                    line.Append(last ? row[c] : number ? row[c].PadLeft(widths[c]) : row[c].PadRight(widths[c]));
                    if (!last)
                    {
                        line.Append("  ");
                    }
                }

                output.WriteLine(line.ToString().TrimEnd());
            }
        }

        if (result.Failed > 0)
        {
            output.WriteLine(string.Create(Invariant,
                $"{result.Failed} partition(s) failed: the partitioned index was not created. Fix the errors and run the command again; the partition indexes already built are kept and reused."));
        }
    }

    /// <summary>Writes the result as one JSON object.</summary>
    public static void WriteJson(TextWriter output, IndexResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        StatusReport.WriteJsonObject(output, json =>
        {
            json.WriteString("status", Status(result));
            json.WriteString("table", result.Table);
            json.WriteString("column", result.Column);
            json.WriteNumber("succeeded", result.Succeeded);
            json.WriteNumber("failed", result.Failed);
            json.WriteNumber("rows_processed", result.Partitions.Sum(p => p.Rows));
            json.WriteStartArray("partitions");
            foreach (IndexPartitionRow p in result.Partitions)
            {
                json.WriteStartObject();
                json.WriteString("partition_name", p.Partition);
                json.WriteString("index_name", p.Index);
                json.WriteNumber("rows_processed", p.Rows);
                json.WriteNumber("execution_time_ms", p.ElapsedMs);
                if (p.WorkerPid is int pid)
                {
                    json.WriteNumber("worker_pid", pid);
                }
                else
                {
                    json.WriteNull("worker_pid");
                }

                json.WriteBoolean("success", p.Success);
                json.WriteString("error_message", p.Error);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("elapsed_seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
        });
    }

    private static string[] Cells(IndexPartitionRow p) =>
    [
        p.Partition,
        p.Index,
        p.Rows.ToString(Invariant),
        p.ElapsedMs.ToString(Invariant),
        p.WorkerPid is int pid ? pid.ToString(Invariant) : "-",
        p.Success ? (p.WorkerPid is null ? "kept" : "ok") : "FAILED: " + (p.Error ?? "").ReplaceLineEndings(" "),
    ];
}
