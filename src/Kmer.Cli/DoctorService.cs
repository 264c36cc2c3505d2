namespace Kmer.Cli;

/// <summary>
/// Runs <c>kmer-cli doctor</c> without the command-line framework: the
/// database checks (<see cref="DatabaseChecks"/>), then the socket checks
/// (<see cref="SocketChecks"/>) on <c>--socket</c>, else the socket the
/// server is configured with, else <c>KMER_WORKER_SOCKET</c> or the default;
/// then, when the extension is created and the pool answers, the worker's own
/// checks through the server on the same connection (<see cref="WorkerChecks"/>);
/// writes the report and returns 0, or 1 when any check failed.
/// </summary>
public sealed class DoctorService
{
    private readonly Func<string, string?> _getEnvironmentVariable;

    /// <summary>Creates the service.</summary>
    /// <param name="getEnvironmentVariable">Reads environment variables; the process environment when null.</param>
    public DoctorService(Func<string, string?>? getEnvironmentVariable = null)
    {
        _getEnvironmentVariable = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>The connection string to use: the option, else <c>KMER_CONNECTION</c>, else the default.</summary>
    public string ResolveConnectionString(string? option)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            return option;
        }

        string? fromEnvironment = _getEnvironmentVariable(DoctorOptions.ConnectionVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DoctorOptions.DefaultConnectionString : fromEnvironment;
    }

    /// <summary>Runs every check and returns them.</summary>
    public async Task<IReadOnlyList<DoctorCheck>> CheckAsync(DoctorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using DatabaseChecks.Result database = await DatabaseChecks.RunAsync(ResolveConnectionString(options.ConnectionString), cancellationToken).ConfigureAwait(false);
        string socketPath = !string.IsNullOrEmpty(options.SocketPath)
            ? options.SocketPath
            : database.SocketPath ?? WorkerSocket.Resolve(null, _getEnvironmentVariable);
        IReadOnlyList<DoctorCheck> socket = await SocketChecks.RunAsync(socketPath, options.Timeout, cancellationToken).ConfigureAwait(false);
        bool poolAnswers = socket.Any(c => c.Check == SocketChecks.PoolCheck && c.Status == DoctorStatus.Ok);
        IReadOnlyList<DoctorCheck> worker = database.ExtensionReady && poolAnswers
            ? await WorkerChecks.RunAsync(database.Connection!, options.Timeout, cancellationToken).ConfigureAwait(false)
            : [];
        return [.. database.Checks, .. socket, .. worker];
    }

    /// <summary>Runs the checks, writes them to <paramref name="stdout"/> and returns the exit code.</summary>
    public async Task<int> RunAsync(DoctorOptions options, TextWriter stdout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        IReadOnlyList<DoctorCheck> checks = await CheckAsync(options, cancellationToken).ConfigureAwait(false);
        if (options.Json)
        {
            DoctorReport.WriteJson(stdout, checks);
        }
        else
        {
            DoctorReport.WriteText(stdout, checks);
        }

        return DoctorReport.ExitCode(checks);
    }
}
