using Kmer.Protocol;

namespace Kmer.Worker;

/// <summary>One running call, as <see cref="JobRegistry"/> lists it.</summary>
public sealed class Job
{
    private long _progressBits = BitConverter.DoubleToInt64Bits(double.NaN);

    internal Job(long id, string handler, int callerPid, DateTimeOffset startedAt, CancellationTokenSource cancellation)
    {
        Id = id;
        Handler = handler;
        CallerPid = callerPid;
        StartedAt = startedAt;
        Cancellation = cancellation;
    }

    /// <summary>The job id, unique in this worker process.</summary>
    public long Id { get; }

    /// <summary>The handler it runs.</summary>
    public string Handler { get; }

    /// <summary>The backend pid of the calling session (<c>context.backend_pid</c>).</summary>
    public int CallerPid { get; }

    /// <summary>When the call started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The fraction done, 0 to 1, or null when unknown. Safe to set from any thread.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 0 and 1.</exception>
    public double? Progress
    {
        get
        {
            double value = BitConverter.Int64BitsToDouble(Interlocked.Read(ref _progressBits));
            return double.IsNaN(value) ? null : value;
        }

        set
        {
            if (value is double v && !(v >= 0 && v <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), v, "Progress is a fraction between 0 and 1.");
            }

            Interlocked.Exchange(ref _progressBits, BitConverter.DoubleToInt64Bits(value ?? double.NaN));
        }
    }

    /// <summary>Whether the job has been asked to stop.</summary>
    public bool IsCancellationRequested => Cancellation.IsCancellationRequested;

    internal CancellationTokenSource Cancellation { get; }

    /// <summary>Requests the job's cancellation; false when its call has already ended (its token is disposed).</summary>
    internal bool TryCancel()
    {
        try
        {
            Cancellation.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            // The call ended meanwhile.
            return false;
        }
    }

    /// <summary>The job as <c>status_result</c> lists it.</summary>
    public JobInfo ToJobInfo() => new(Id, Handler, CallerPid, Progress, StartedAt);
}
