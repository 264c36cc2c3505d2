using Kmer.Protocol;

namespace Kmer.Cli;

/// <summary>
/// The outcome of one request to the worker (<see cref="WorkerConnection"/>):
/// its <c>welcome</c> and answer, else the exit code and a one-line reason.
/// </summary>
/// <typeparam name="T">The message that answers the request.</typeparam>
public sealed record WorkerAnswer<T>
    where T : BridgeMessage
{
    private WorkerAnswer(int exitCode, Welcome? welcome, T? answer, string? reason)
    {
        ExitCode = exitCode;
        Welcome = welcome;
        Answer = answer;
        Reason = reason;
    }

    /// <summary><see cref="ExitCodes.Running"/> when the worker answered, else <see cref="ExitCodes.NotRunning"/> or <see cref="ExitCodes.Unreachable"/>.</summary>
    public int ExitCode { get; }

    /// <summary>The worker's <c>welcome</c>; set exactly when it answered.</summary>
    public Welcome? Welcome { get; }

    /// <summary>The worker's answer; set exactly when it answered.</summary>
    public T? Answer { get; }

    /// <summary>Why the worker could not be asked, and what to check; null when it answered.</summary>
    public string? Reason { get; }

    /// <summary>The worker answered.</summary>
    public static WorkerAnswer<T> Answered(Welcome welcome, T answer)
    {
        ArgumentNullException.ThrowIfNull(welcome);
        ArgumentNullException.ThrowIfNull(answer);
        return new(ExitCodes.Running, welcome, answer, null);
    }

    /// <summary>The worker is not running (<see cref="ExitCodes.NotRunning"/>).</summary>
    public static WorkerAnswer<T> NotRunning(string reason) => new(ExitCodes.NotRunning, null, null, reason);

    /// <summary>The worker could not be asked (<see cref="ExitCodes.Unreachable"/>).</summary>
    public static WorkerAnswer<T> Unreachable(string reason) => new(ExitCodes.Unreachable, null, null, reason);
}
