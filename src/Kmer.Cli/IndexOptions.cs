namespace Kmer.Cli;

/// <summary>What <c>kmer-cli index</c> was asked to do: <c>kmersearch_parallel_create_index(table, column, tablespace)</c>.</summary>
/// <param name="Table">The table argument, passed as given.</param>
/// <param name="Column">The column argument, passed as given.</param>
/// <param name="Tablespace">The tablespace argument, or null.</param>
/// <param name="ConnectionString">The resolved Npgsql connection string (<see cref="PartitionConnection.Resolve"/>).</param>
/// <param name="Settings">Session settings applied before the call (k, b, parallel builds).</param>
/// <param name="Json">Write the result as one JSON object; progress then goes to stderr.</param>
public sealed record IndexOptions(string Table, string Column, string? Tablespace, string ConnectionString, AnalyzeSettings Settings, bool Json)
{
    /// <summary>The SQL function the command runs.</summary>
    public const string Function = "kmersearch_parallel_create_index";
}
