namespace Kmer.Cli;

/// <summary>What <c>kmer-cli analyze</c> was asked to do.</summary>
/// <param name="Table">The table argument of <c>kmersearch_perform_highfreq_analysis</c>, passed as given.</param>
/// <param name="Column">The column argument, passed as given.</param>
/// <param name="ConnectionString">The resolved Npgsql connection string (<see cref="AnalyzeConnection.Resolve"/>).</param>
/// <param name="Settings">Session settings applied with <c>SET</c> before the call.</param>
/// <param name="Json">Write the result as one JSON object; progress then goes to stderr.</param>
public sealed record AnalyzeOptions(string Table, string Column, string ConnectionString, AnalyzeSettings Settings, bool Json)
{
    /// <summary>The SQL function the command runs.</summary>
    public const string Function = "kmersearch_perform_highfreq_analysis";

    /// <summary>How often the second connection asks <c>kmersearch_worker_status()</c> for the job's progress.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
}
