namespace Kmer.Cli;

/// <summary>
/// The <c>kmersearch_analysis_result</c> row of one analysis, with what
/// <c>kmer-cli analyze</c> adds: the table and column as given, the session's
/// settings during the call, and the wall-clock time.
/// </summary>
/// <param name="Table">The table argument.</param>
/// <param name="Column">The column argument.</param>
/// <param name="TotalRows"><c>total_rows</c>: rows of the table, NULLs included.</param>
/// <param name="HighfreqKmersCount"><c>highfreq_kmers_count</c>: keys found above the threshold.</param>
/// <param name="ParallelWorkersUsed"><c>parallel_workers_used</c>.</param>
/// <param name="MaxAppearanceRateUsed"><c>max_appearance_rate_used</c>.</param>
/// <param name="MaxAppearanceNrowUsed"><c>max_appearance_nrow_used</c>: the effective threshold in rows.</param>
/// <param name="Settings">The values of <see cref="AnalyzeSettings.Reported"/> during the call (null when not defined on the server).</param>
/// <param name="Elapsed">Wall-clock time of the call.</param>
public sealed record AnalyzeResult(
    string Table,
    string Column,
    long TotalRows,
    int HighfreqKmersCount,
    int ParallelWorkersUsed,
    float MaxAppearanceRateUsed,
    int MaxAppearanceNrowUsed,
    IReadOnlyList<KeyValuePair<string, string?>> Settings,
    TimeSpan Elapsed);
