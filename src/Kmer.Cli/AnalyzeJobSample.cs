namespace Kmer.Cli;

/// <summary>
/// One answer of <c>kmersearch_worker_status()</c> about the analysis: whether
/// the pool runs the job of the analysing backend yet, and its progress.
/// </summary>
/// <param name="Time">When the answer arrived.</param>
/// <param name="PoolPid">The pool's process id (first row), or null.</param>
/// <param name="Job">The job id, or null while the pool runs no job for the backend.</param>
/// <param name="Progress">The job's progress, 0 to 1, or null when unknown.</param>
public sealed record AnalyzeJobSample(DateTimeOffset Time, int? PoolPid, long? Job, double? Progress);
