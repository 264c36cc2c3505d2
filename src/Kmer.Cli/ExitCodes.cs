namespace Kmer.Cli;

/// <summary>
/// Process exit codes of <c>kmer-cli status</c>, <c>kmer-cli jobs</c> and
/// <c>kmer-cli cancel</c>, chosen as <c>pg_ctl status</c> and LSB init scripts do.
/// </summary>
public static class ExitCodes
{
    /// <summary>The worker pool is up and answered (for <c>cancel</c>: and the job's cancellation was requested).</summary>
    public const int Running = 0;

    /// <summary><c>kmer-cli cancel</c>: the worker answered, but runs no job with that id.</summary>
    public const int NoSuchJob = 1;

    /// <summary>The worker pool is not running: no socket file, or nobody listening on it.</summary>
    public const int NotRunning = 3;

    /// <summary>
    /// The worker could not be asked: permission denied, no answer in time,
    /// a protocol error, or the worker refused the request.
    /// </summary>
    public const int Unreachable = 4;
}
