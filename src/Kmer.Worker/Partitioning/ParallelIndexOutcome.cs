namespace Kmer.Worker.Partitioning;

/// <summary>What happened to one leaf partition's index: one result row of <c>kmersearch_parallel_create_index</c>.</summary>
/// <param name="Partition">The leaf partition.</param>
/// <param name="RowsProcessed">The partition's rows as the build counted them (<c>pg_class.reltuples</c> after the build); 0 when it failed.</param>
/// <param name="ElapsedMs">Wall time of the <c>CREATE INDEX</c> statement; 0 for a reused index.</param>
/// <param name="WorkerPid">The backend that built it (<c>pg_backend_pid()</c> of the build session), or null when nothing ran.</param>
/// <param name="Success">Whether the partition has its index.</param>
/// <param name="ErrorMessage">Why not (message and SQLSTATE), or null.</param>
/// <param name="Reused">The index existed already from an earlier call and was kept.</param>
public sealed record ParallelIndexOutcome(
    ParallelIndexNode Partition,
    long RowsProcessed,
    long ElapsedMs,
    int? WorkerPid,
    bool Success,
    string? ErrorMessage,
    bool Reused = false)
{
    /// <summary>The row as the bridge returns it (column name → value).</summary>
    public Dictionary<string, object?> ToRow() => new(StringComparer.Ordinal)
    {
        ["partition_name"] = Partition.Name,
        ["index_name"] = Partition.IndexName,
        ["rows_processed"] = RowsProcessed,
        ["execution_time_ms"] = ElapsedMs,
        ["worker_pid"] = (long?)WorkerPid,
        ["success"] = Success,
        ["error_message"] = ErrorMessage,
    };
}
