namespace Kmer.Cli;

/// <summary>
/// The outcome of asking the worker for its status: the status when it
/// answered, else the exit code and a one-line reason saying what to check.
/// </summary>
public sealed record ProbeResult
{
    private ProbeResult(int exitCode, WorkerStatus? status, string? reason)
    {
        ExitCode = exitCode;
        Status = status;
        Reason = reason;
    }

    /// <summary>One of <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; }

    /// <summary>The worker's status; set exactly when <see cref="ExitCode"/> is <see cref="ExitCodes.Running"/>.</summary>
    public WorkerStatus? Status { get; }

    /// <summary>Why the worker could not be asked, and what to check; null when it answered.</summary>
    public string? Reason { get; }

    /// <summary>The worker answered.</summary>
    public static ProbeResult Running(WorkerStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(ExitCodes.Running, status, null);
    }

    /// <summary>The worker is not running (<see cref="ExitCodes.NotRunning"/>).</summary>
    public static ProbeResult NotRunning(string reason) => new(ExitCodes.NotRunning, null, reason);

    /// <summary>The worker could not be asked (<see cref="ExitCodes.Unreachable"/>).</summary>
    public static ProbeResult Unreachable(string reason) => new(ExitCodes.Unreachable, null, reason);
}
