using Cocona;
using Cocona.Application;

namespace Kmer.Cli;

/// <summary>
/// <c>kmer-cli analyze</c> as Cocona sees it: it checks the options, turns
/// them into an <see cref="AnalyzeOptions"/> and hands over to
/// <see cref="AnalyzeService"/>.
/// </summary>
public sealed class AnalyzeCommands
{
    private readonly AnalyzeService _service;
    private readonly ICoconaAppContextAccessor _context;
    private readonly Func<string, string?> _getEnvironmentVariable;

    /// <summary>Creates the command over the service; <paramref name="context"/> gives Ctrl-C's cancellation.</summary>
    public AnalyzeCommands(AnalyzeService service, ICoconaAppContextAccessor context)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        _service = service;
        _context = context;
        _getEnvironmentVariable = Environment.GetEnvironmentVariable;
    }

    /// <summary><c>kmer-cli analyze</c>.</summary>
    [Command("analyze", Description = "Run the high-frequency k-mer analysis of a DNA2/DNA4 column (kmersearch_perform_highfreq_analysis) in the worker pool, showing its progress, and print the result. "
        + "Connection: --connection, else $" + DoctorOptions.ConnectionVariable + ", with --host/--port/--dbname/--username, else PGHOST/PGPORT/PGDATABASE/PGUSER, filling what it leaves out. "
        + "Exit 0 done, 1 SQL error, 2 usage, 4 cannot connect, 130 interrupted (Ctrl-C cancels the statement).")]
    [OptionUsageFilter]
    public async Task<int> AnalyzeAsync(
        [Option("table", Description = "Table name (as the function resolves it: exact, through search_path) or OID", ValueName = "TABLE")] string? table = null,
        [Option("column", Description = "DNA2 or DNA4 column name, or attribute number", ValueName = "COLUMN")] string? column = null,
        [Option("connection", Description = "Npgsql connection string (default: $" + DoctorOptions.ConnectionVariable + ")", ValueName = "CONNECTION")] string? connection = null,
        [Option("host", Description = "Server host or socket directory (default: $PGHOST, else /var/run/postgresql)", ValueName = "HOST")] string? host = null,
        [Option("port", Description = "Server port (default: $PGPORT, else 5432)", ValueName = "PORT")] int? port = null,
        [Option("dbname", Description = "Database (default: $PGDATABASE, else postgres)", ValueName = "DBNAME")] string? dbname = null,
        [Option("username", Description = "Database user (default: $PGUSER, else postgres)", ValueName = "USER")] string? username = null,
        [Option("kmer-size", Description = "kmersearch.kmer_size for the call", ValueName = "K")] int? kmerSize = null,
        [Option("occur-bitlen", Description = "kmersearch.occur_bitlen for the call", ValueName = "BITS")] int? occurBitlen = null,
        [Option("max-appearance-rate", Description = "kmersearch.max_appearance_rate for the call (0 to 1)", ValueName = "RATE")] double? maxAppearanceRate = null,
        [Option("max-appearance-nrow", Description = "kmersearch.max_appearance_nrow for the call (0: no row limit)", ValueName = "ROWS")] int? maxAppearanceNrow = null,
        [Option("readers", Description = "max_parallel_maintenance_workers for the call, which bounds the parallel readers of the scan (the result's parallel_workers_used says how many ran)", ValueName = "N")] int? readers = null,
        [Option("memory-limit", Description = "kmersearch.highfreq_analysis_memory_limit for the call, in MB", ValueName = "MB")] int? memoryLimit = null,
        [Option("json", Description = "Write the result as one JSON object (progress then goes to stderr)")] bool json = false)
    {
        string? problem = Check(table, column, port, kmerSize, occurBitlen, maxAppearanceRate, maxAppearanceNrow, readers, memoryLimit);
        string connectionString = "";
        if (problem is null)
        {
            try
            {
                connectionString = AnalyzeConnection.Resolve(connection, host, port, dbname, username, _getEnvironmentVariable);
            }
            catch (ArgumentException ex)
            {
                problem = $"invalid connection: {ex.Message}";
            }
        }

        if (problem is not null)
        {
            await Console.Error.WriteLineAsync($"kmer-cli: analyze: {problem}").ConfigureAwait(false);
            return AnalyzeExitCodes.Usage;
        }

        var settings = new AnalyzeSettings(kmerSize, occurBitlen, maxAppearanceRate, maxAppearanceNrow, readers, memoryLimit);
        var options = new AnalyzeOptions(table!, column!, connectionString, settings, json);
        bool terminal = json ? !Console.IsErrorRedirected : !Console.IsOutputRedirected;
        var console = new AnalyzeConsole(Console.Out, Console.Error, terminal, terminal ? TerminalWidth() : 80);
        return await _service.RunAsync(options, console, _context.Current?.CancellationToken ?? CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>What is wrong with the options, or null. The server checks the settings' ranges; this catches what cannot be meant.</summary>
    public static string? Check(
        string? table, string? column, int? port, int? kmerSize, int? occurBitlen, double? maxAppearanceRate, int? maxAppearanceNrow, int? readers, int? memoryLimit)
    {
        if (string.IsNullOrEmpty(table))
        {
            return "--table is required";
        }

        if (string.IsNullOrEmpty(column))
        {
            return "--column is required";
        }

        return (port, kmerSize, occurBitlen, maxAppearanceRate, maxAppearanceNrow, readers, memoryLimit) switch
        {
            ({ } p, _, _, _, _, _, _) when p is < 1 or > 65535 => "--port must be between 1 and 65535",
            (_, { } k, _, _, _, _, _) when k < 1 => "--kmer-size must be a positive number of bases",
            (_, _, { } b, _, _, _, _) when b < 0 => "--occur-bitlen must not be negative",
            (_, _, _, { } r, _, _, _) when !(r >= 0 && r <= 1) => "--max-appearance-rate must be between 0 and 1",
            (_, _, _, _, { } n, _, _) when n < 0 => "--max-appearance-nrow must not be negative (0: no row limit)",
            (_, _, _, _, _, { } w, _) when w < 0 => "--readers must not be negative",
            (_, _, _, _, _, _, { } m) when m < 1 => "--memory-limit must be a positive number of MB",
            _ => null,
        };
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
