namespace Kmer.Cli;

/// <summary>
/// Process exit codes of <c>kmer-cli status</c> and <c>kmer-cli jobs</c>,
/// chosen as <c>pg_ctl status</c> and LSB init scripts do.
/// </summary>
public static class ExitCodes
{
    /// <summary>The worker pool is up and answered.</summary>
    public const int Running = 0;

    /// <summary>The worker pool is not running: no socket file, or nobody listening on it.</summary>
    public const int NotRunning = 3;

    /// <summary>
    /// The worker could not be asked: permission denied, no answer in time,
    /// a protocol error, or the worker refused the request.
    /// </summary>
    public const int Unreachable = 4;
}
