using Cocona;
using Cocona.Application;

namespace Kmer.Cli;

/// <summary>
/// The <c>kmer-cli</c> commands as Cocona sees them. They only turn options
/// into a <see cref="StatusOptions"/> or <see cref="CancelOptions"/>;
/// <see cref="StatusService"/> and <see cref="CancelService"/> do the work.
/// </summary>
public sealed class WorkerCommands
{
    /// <summary>Exit code for an invalid option value, as Cocona uses for its own usage errors.</summary>
    public const int UsageError = 1;

    private readonly StatusService _service;
    private readonly CancelService _cancelService;
    private readonly DoctorService _doctorService;
    private readonly ICoconaAppContextAccessor _context;

    /// <summary>Creates the commands over the services; <paramref name="context"/> gives Ctrl-C's cancellation.</summary>
    public WorkerCommands(StatusService service, CancelService cancelService, DoctorService doctorService, ICoconaAppContextAccessor context)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(cancelService);
        ArgumentNullException.ThrowIfNull(doctorService);
        ArgumentNullException.ThrowIfNull(context);
        _service = service;
        _cancelService = cancelService;
        _doctorService = doctorService;
        _context = context;
    }

    /// <summary><c>kmer-cli status</c>.</summary>
    [Command("status", Description = "Show whether the worker pool is up, its version, pid, uptime and running jobs. Exit 0 running, 3 not running, 4 cannot reach.")]
    public Task<int> StatusAsync(
        [Option("socket", Description = "Worker socket path (default: $KMER_WORKER_SOCKET, else " + WorkerSocket.DefaultPath + ")", ValueName = "PATH")] string? socket = null,
        [Option("json", Description = "Write one JSON object instead of text")] bool json = false,
        [Option("timeout", Description = "Seconds to wait for the worker", ValueName = "SECONDS")] double timeout = 5) =>
        RunAsync(socket, json, timeout, jobsOnly: false);

    /// <summary><c>kmer-cli jobs</c>.</summary>
    [Command("jobs", Description = "List the worker pool's running jobs. Exit codes as for status.")]
    public Task<int> JobsAsync(
        [Option("socket", Description = "Worker socket path (default: $KMER_WORKER_SOCKET, else " + WorkerSocket.DefaultPath + ")", ValueName = "PATH")] string? socket = null,
        [Option("json", Description = "Write one JSON object instead of text")] bool json = false,
        [Option("timeout", Description = "Seconds to wait for the worker", ValueName = "SECONDS")] double timeout = 5) =>
        RunAsync(socket, json, timeout, jobsOnly: true);

    /// <summary><c>kmer-cli cancel JOB</c>.</summary>
    [Command("cancel", Description = "Cancel the running job JOB (an id from kmer-cli jobs), whichever session runs it; its call ends with SQLSTATE 57014. Exit 0 cancelled, 1 no running job JOB, 3 not running, 4 cannot reach.")]
    public async Task<int> CancelAsync(
        [Argument("JOB", Description = "The job id, as kmer-cli jobs lists it")] long job,
        [Option("socket", Description = "Worker socket path (default: $KMER_WORKER_SOCKET, else " + WorkerSocket.DefaultPath + ")", ValueName = "PATH")] string? socket = null,
        [Option("json", Description = "Write one JSON object instead of text")] bool json = false,
        [Option("timeout", Description = "Seconds to wait for the worker", ValueName = "SECONDS")] double timeout = 5)
    {
        if (job <= 0)
        {
            await Console.Error.WriteLineAsync("kmer-cli: JOB must be a positive job id").ConfigureAwait(false);
            return UsageError;
        }

        if (await CheckTimeoutAsync(timeout).ConfigureAwait(false) is not { } wait)
        {
            return UsageError;
        }

        var options = new CancelOptions(socket, json, wait, job);
        return await _cancelService.RunAsync(options, Console.Out, Console.Error, _context.Current?.CancellationToken ?? CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary><c>kmer-cli doctor</c>.</summary>
    [Command("doctor", Description = "Check the installation: PostgreSQL, shared_preload_libraries, the extension, the worker settings, the socket, the pool, and (through kmersearch_worker_check()) the pool's own connection back to PostgreSQL. Exit 0 all ok (warnings allowed), 1 any check failed.")]
    public async Task<int> DoctorAsync(
        [Option("connection", Description = "Npgsql connection string (default: $" + DoctorOptions.ConnectionVariable + ", else " + DoctorOptions.DefaultConnectionString + ")", ValueName = "CONNECTION")] string? connection = null,
        [Option("socket", Description = "Worker socket path (default: the one the server is configured with)", ValueName = "PATH")] string? socket = null,
        [Option("json", Description = "Write a JSON array of {check, status, finding, fix} instead of text")] bool json = false,
        [Option("timeout", Description = "Seconds to wait for the worker", ValueName = "SECONDS")] double timeout = 5)
    {
        if (await CheckTimeoutAsync(timeout).ConfigureAwait(false) is not { } wait)
        {
            return UsageError;
        }

        var options = new DoctorOptions(connection, socket, json, wait);
        return await _doctorService.RunAsync(options, Console.Out, _context.Current?.CancellationToken ?? CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task<TimeSpan?> CheckTimeoutAsync(double timeout)
    {
        if (!(timeout > 0 && timeout <= int.MaxValue / 1000.0))
        {
            await Console.Error.WriteLineAsync("kmer-cli: --timeout must be a positive number of seconds").ConfigureAwait(false);
            return null;
        }

        return TimeSpan.FromSeconds(timeout);
    }

    private async Task<int> RunAsync(string? socket, bool json, double timeout, bool jobsOnly)
    {
        if (await CheckTimeoutAsync(timeout).ConfigureAwait(false) is not { } wait)
        {
            return UsageError;
        }

        var options = new StatusOptions(socket, json, wait, jobsOnly);
        return await _service.RunAsync(options, Console.Out, Console.Error, _context.Current?.CancellationToken ?? CancellationToken.None).ConfigureAwait(false);
    }
}
