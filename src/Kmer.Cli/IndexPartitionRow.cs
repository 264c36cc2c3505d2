namespace Kmer.Cli;

/// <summary>One row of <c>kmersearch_parallel_create_index</c>: one leaf partition.</summary>
/// <param name="Partition">partition_name.</param>
/// <param name="Index">index_name.</param>
/// <param name="Rows">rows_processed.</param>
/// <param name="ElapsedMs">execution_time_ms.</param>
/// <param name="WorkerPid">worker_pid (null for an index kept from an earlier call).</param>
/// <param name="Success">success.</param>
/// <param name="Error">error_message.</param>
public sealed record IndexPartitionRow(string Partition, string Index, long Rows, long ElapsedMs, int? WorkerPid, bool Success, string? Error);
