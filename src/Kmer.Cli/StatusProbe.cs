using Kmer.Protocol;

namespace Kmer.Cli;

/// <summary>
/// Asks a worker pool for its status over its Unix socket: <c>status</c>,
/// expect <c>status_result</c>, through <see cref="WorkerConnection"/>. Every
/// failure becomes a <see cref="ProbeResult"/> with an exit code and a
/// one-line reason; nothing here writes to the console.
/// </summary>
public sealed class StatusProbe
{
    private readonly TimeProvider _time;

    /// <summary>Creates a probe that stamps answers with <paramref name="time"/>.</summary>
    public StatusProbe(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>The <c>client</c> this tool names itself in <c>hello</c>: <c>kmer-cli</c> and its version.</summary>
    public static string ClientName => WorkerConnection.ClientName;

    /// <summary>
    /// Connects to <paramref name="socketPath"/> and asks for the status, all
    /// within <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (not on timeout).</exception>
    public async Task<ProbeResult> ProbeAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        WorkerAnswer<StatusResult> answer = await WorkerConnection.AskAsync<StatusResult>(
            socketPath, new StatusRequest(), StatusResult.TypeName, timeout, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            { Welcome: { } welcome, Answer: { } status } => ProbeResult.Running(new WorkerStatus(socketPath, welcome, status, _time.GetUtcNow())),
            { ExitCode: ExitCodes.NotRunning } => ProbeResult.NotRunning(answer.Reason!),
            _ => ProbeResult.Unreachable(answer.Reason!),
        };
    }
}
