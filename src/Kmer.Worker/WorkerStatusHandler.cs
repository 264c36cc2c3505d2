using System.Globalization;

namespace Kmer.Worker;

/// <summary>
/// <c>kmersearch_worker_status</c>: the pool's state as a set of rows.
/// </summary>
/// <remarks>
/// Every row has the columns <c>version</c>, <c>pid</c>, <c>uptime_seconds</c>
/// (the pool's) and <c>job</c>, <c>handler</c>, <c>caller_pid</c>,
/// <c>progress</c>, <c>started_at</c> (a job's). The first row is the pool
/// itself, with every job column nil. Then comes one row per running job,
/// oldest first, always including the job of this status call, so a pool with
/// no other work answers exactly two rows. <c>progress</c> is nil when the
/// handler has not reported any; <c>started_at</c> is ISO 8601 text, which
/// the extension converts with the <c>timestamptz</c> column's input function.
/// </remarks>
[BridgedFunction(
    HandlerName,
    Returns = "TABLE(version text, pid integer, uptime_seconds double precision, job bigint, handler text, caller_pid integer, progress double precision, started_at timestamptz)",
    Comment = "The k-mer worker pool's state: a first row for the pool itself (version, pid, uptime), then one row per running job "
        + "(job id, handler, calling backend pid, progress from 0 to 1 or NULL when unknown, start time), this call's job included.")]
public sealed class WorkerStatusHandler : ICallHandler
{
    /// <summary>The handler name the SQL function's body names.</summary>
    public const string HandlerName = "kmersearch_worker_status";

    private readonly WorkerInstance _instance;
    private readonly JobRegistry _jobs;

    /// <summary>Creates the handler.</summary>
    public WorkerStatusHandler(WorkerInstance instance, JobRegistry jobs)
    {
        _instance = instance;
        _jobs = jobs;
    }

    /// <inheritdoc/>
    public ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var rows = new List<Dictionary<string, object?>> { Row(job: null) };
        foreach (Job job in _jobs.Snapshot())
        {
            rows.Add(Row(job));
        }

        return ValueTask.FromResult<object?>(rows);
    }

    private Dictionary<string, object?> Row(Job? job) => new(StringComparer.Ordinal)
    {
        ["version"] = _instance.Version,
        ["pid"] = (long)_instance.Pid,
        ["uptime_seconds"] = _instance.UptimeSeconds,
        ["job"] = job?.Id,
        ["handler"] = job?.Handler,
        ["caller_pid"] = (long?)job?.CallerPid,
        ["progress"] = job?.Progress,
        ["started_at"] = job?.StartedAt.ToString("o", CultureInfo.InvariantCulture),
    };
}
