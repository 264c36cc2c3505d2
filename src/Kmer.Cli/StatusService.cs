namespace Kmer.Cli;

/// <summary>
/// Runs <c>kmer-cli status</c> and <c>kmer-cli jobs</c> without the
/// command-line framework: resolves the socket, asks the worker, writes the
/// report to <c>stdout</c> or the reason to <c>stderr</c>, and returns the exit code.
/// </summary>
public sealed class StatusService
{
    private readonly StatusProbe _probe;
    private readonly Func<string, string?> _getEnvironmentVariable;

    /// <summary>Creates the service.</summary>
    /// <param name="probe">Asks the worker.</param>
    /// <param name="getEnvironmentVariable">Reads <see cref="WorkerSocket.EnvironmentVariable"/>; the process environment when null.</param>
    public StatusService(StatusProbe probe, Func<string, string?>? getEnvironmentVariable = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        _probe = probe;
        _getEnvironmentVariable = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>Runs the command; returns one of <see cref="ExitCodes"/>.</summary>
    public async Task<int> RunAsync(StatusOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        string socketPath = WorkerSocket.Resolve(options.SocketPath, _getEnvironmentVariable);
        ProbeResult result = await _probe.ProbeAsync(socketPath, options.Timeout, cancellationToken).ConfigureAwait(false);
        if (result.Status is not { } status)
        {
            await stderr.WriteLineAsync($"kmer-cli: {result.Reason?.ReplaceLineEndings(" ")}".AsMemory(), cancellationToken).ConfigureAwait(false);
            if (options.Json)
            {
                StatusReport.WriteFailureJson(stdout, socketPath, result);
            }

            return result.ExitCode;
        }

        switch (options)
        {
            case { JobsOnly: true, Json: true }:
                StatusReport.WriteJobsJson(stdout, status);
                break;
            case { JobsOnly: true }:
                StatusReport.WriteJobsText(stdout, status);
                break;
            case { Json: true }:
                StatusReport.WriteJson(stdout, status);
                break;
            default:
                StatusReport.WriteText(stdout, status);
                break;
        }

        return ExitCodes.Running;
    }
}
