using System.Collections.Concurrent;

namespace Kmer.Worker;

/// <summary>The calls running in this worker, by job id. Thread-safe.</summary>
public sealed class JobRegistry
{
    private readonly ConcurrentDictionary<long, Job> _jobs = new();
    private readonly TimeProvider _time;
    private long _lastId;

    /// <summary>Creates an empty registry.</summary>
    public JobRegistry(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>The running jobs, oldest first.</summary>
    public IReadOnlyList<Job> Snapshot() => _jobs.Values.OrderBy(j => j.Id).ToArray();

    /// <summary>Looks up a running job.</summary>
    public bool TryGet(long id, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Job job) => _jobs.TryGetValue(id, out job);

    /// <summary>Registers a new job; the registry takes no ownership of <paramref name="cancellation"/>.</summary>
    internal Job Start(string handler, int callerPid, CancellationTokenSource cancellation)
    {
        var job = new Job(Interlocked.Increment(ref _lastId), handler, callerPid, _time.GetUtcNow(), cancellation);
        _jobs[job.Id] = job;
        return job;
    }

    /// <summary>Removes a job when its call ends.</summary>
    internal void Remove(Job job) => _jobs.TryRemove(job.Id, out _);
}
