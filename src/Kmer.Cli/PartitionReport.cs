using System.Globalization;

namespace Kmer.Cli;

/// <summary>
/// Writes the outcome of <c>kmer-cli partition</c> and <c>unpartition</c>
/// (the functions return nothing; their INFO messages are the progress): one
/// line, or one JSON object. Errors are written as for <c>analyze</c>
/// (<see cref="AnalyzeReport"/>).
/// </summary>
public static class PartitionReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the outcome as text.</summary>
    public static void WriteText(TextWriter output, PartitionOptions options, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        string where = options.Tablespace is null ? "" : $" in tablespace {options.Tablespace}";
        output.WriteLine(options.Partitions is int n
            ? string.Create(Invariant, $"partitioned {options.Table} into {n} hash partitions{where} ({elapsed.TotalSeconds:0.0##} s)")
            : string.Create(Invariant, $"unpartitioned {options.Table}{where} ({elapsed.TotalSeconds:0.0##} s)"));
    }

    /// <summary>Writes the outcome as one JSON object.</summary>
    public static void WriteJson(TextWriter output, PartitionOptions options, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        StatusReport.WriteJsonObject(output, json =>
        {
            json.WriteString("status", "ok");
            json.WriteString("command", options.Command);
            json.WriteString("table", options.Table);
            if (options.Partitions is int n)
            {
                json.WriteNumber("partitions", n);
            }

            json.WriteString("tablespace", options.Tablespace);
            json.WriteNumber("elapsed_seconds", Math.Round(elapsed.TotalSeconds, 3));
        });
    }
}
