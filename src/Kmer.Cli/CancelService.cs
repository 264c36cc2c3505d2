using System.Globalization;
using Kmer.Protocol;

namespace Kmer.Cli;

/// <summary>
/// Runs <c>kmer-cli cancel JOB</c> without the command-line framework:
/// resolves the socket, sends <c>cancel_job</c>, writes the outcome to
/// <c>stdout</c> or the reason to <c>stderr</c>, and returns the exit code:
/// <see cref="ExitCodes.Running"/> when the job's cancellation was requested,
/// <see cref="ExitCodes.NoSuchJob"/> when no job with that id runs, else
/// <see cref="ExitCodes.NotRunning"/> or <see cref="ExitCodes.Unreachable"/>
/// as for <c>status</c>.
/// </summary>
public sealed class CancelService
{
    private readonly Func<string, string?> _getEnvironmentVariable;

    /// <summary>Creates the service.</summary>
    /// <param name="getEnvironmentVariable">Reads <see cref="WorkerSocket.EnvironmentVariable"/>; the process environment when null.</param>
    public CancelService(Func<string, string?>? getEnvironmentVariable = null) =>
        _getEnvironmentVariable = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;

    /// <summary>Runs the command; returns one of <see cref="ExitCodes"/>.</summary>
    public async Task<int> RunAsync(CancelOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        string socketPath = WorkerSocket.Resolve(options.SocketPath, _getEnvironmentVariable);
        WorkerAnswer<CancelJobResult> answer = await WorkerConnection.AskAsync<CancelJobResult>(
            socketPath, new CancelJob(options.Job), CancelJobResult.TypeName, options.Timeout, cancellationToken).ConfigureAwait(false);

        if (answer is { Answer: { } result } && result.Job != options.Job)
        {
            answer = WorkerAnswer<CancelJobResult>.Unreachable(string.Create(CultureInfo.InvariantCulture,
                $"protocol error talking to the worker on {socketPath}: asked to cancel job {options.Job}, the answer is about job {result.Job}: are kmer-cli and the worker from different releases?"));
        }

        if (answer.Answer is not { } outcome)
        {
            await stderr.WriteLineAsync($"kmer-cli: {answer.Reason?.ReplaceLineEndings(" ")}".AsMemory(), cancellationToken).ConfigureAwait(false);
            if (options.Json)
            {
                StatusReport.WriteJsonObject(stdout, json =>
                {
                    json.WriteString("status", answer.ExitCode == ExitCodes.NotRunning ? "not_running" : "unreachable");
                    json.WriteString("socket", socketPath);
                    json.WriteNumber("job", options.Job);
                    json.WriteString("reason", answer.Reason);
                });
            }

            return answer.ExitCode;
        }

        if (options.Json)
        {
            StatusReport.WriteJsonObject(stdout, json =>
            {
                json.WriteString("status", outcome.Cancelled ? "cancelled" : "no_such_job");
                json.WriteString("socket", socketPath);
                json.WriteNumber("job", outcome.Job);
                json.WriteBoolean("cancelled", outcome.Cancelled);
            });
        }
        else
        {
            string job = outcome.Job.ToString(CultureInfo.InvariantCulture);
            await stdout.WriteLineAsync((outcome.Cancelled ? $"cancelled job {job}" : $"no running job {job}").AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        return outcome.Cancelled ? ExitCodes.Running : ExitCodes.NoSuchJob;
    }
}
