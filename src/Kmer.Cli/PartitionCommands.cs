using Cocona;
using Cocona.Application;

namespace Kmer.Cli;

/// <summary>
/// <c>kmer-cli partition</c>, <c>unpartition</c> and <c>index</c> as Cocona
/// sees them: they check the options, build a <see cref="PartitionOptions"/>
/// or <see cref="IndexOptions"/> and hand over to <see cref="PartitionService"/>.
/// </summary>
public sealed class PartitionCommands
{
    private const string ConnectionHelp =
        "Connection: --connection, else $" + DoctorOptions.ConnectionVariable + ", with --host/--port/--dbname/--username, else PGHOST/PGPORT/PGDATABASE/PGUSER, filling what it leaves out. ";

    private readonly PartitionService _service;
    private readonly ICoconaAppContextAccessor _context;
    private readonly Func<string, string?> _getEnvironmentVariable;

    /// <summary>Creates the commands over the service; <paramref name="context"/> gives Ctrl-C's cancellation.</summary>
    public PartitionCommands(PartitionService service, ICoconaAppContextAccessor context)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        _service = service;
        _context = context;
        _getEnvironmentVariable = Environment.GetEnvironmentVariable;
    }

    /// <summary><c>kmer-cli partition</c>.</summary>
    [Command("partition", Description = "Turn a table into one hash-partitioned on its DNA2/DNA4 column (kmersearch_partition_table), showing the migration's progress. "
        + ConnectionHelp + "Exit 0 done, 1 SQL error, 2 usage, 4 cannot connect, 130 interrupted (Ctrl-C cancels the statement; its transaction rolls back).")]
    [OptionUsageFilter]
    public Task<int> PartitionAsync(
        [Option("table", Description = "Table name (quoted and schema-qualified names work)", ValueName = "TABLE")] string? table = null,
        [Option("partitions", Description = "Number of hash partitions", ValueName = "N")] int? partitions = null,
        [Option("tablespace", Description = "Tablespace of the new table and its partitions", ValueName = "TABLESPACE")] string? tablespace = null,
        [Option("connection", Description = "Npgsql connection string (default: $" + DoctorOptions.ConnectionVariable + ")", ValueName = "CONNECTION")] string? connection = null,
        [Option("host", Description = "Server host or socket directory (default: $PGHOST, else /var/run/postgresql)", ValueName = "HOST")] string? host = null,
        [Option("port", Description = "Server port (default: $PGPORT, else 5432)", ValueName = "PORT")] int? port = null,
        [Option("dbname", Description = "Database (default: $PGDATABASE, else postgres)", ValueName = "DBNAME")] string? dbname = null,
        [Option("username", Description = "Database user (default: $PGUSER, else postgres)", ValueName = "USER")] string? username = null,
        [Option("json", Description = "Write the outcome as one JSON object (progress then goes to stderr)")] bool json = false) =>
        RunPartitionAsync("partition", table, partitions, tablespace, connection, host, port, dbname, username, json);

    /// <summary><c>kmer-cli unpartition</c>.</summary>
    [Command("unpartition", Description = "Turn a hash-partitioned table back into a plain one (kmersearch_unpartition_table), showing the migration's progress. "
        + ConnectionHelp + "Exit 0 done, 1 SQL error, 2 usage, 4 cannot connect, 130 interrupted (Ctrl-C cancels the statement; its transaction rolls back).")]
    [OptionUsageFilter]
    public Task<int> UnpartitionAsync(
        [Option("table", Description = "Partitioned table name (quoted and schema-qualified names work)", ValueName = "TABLE")] string? table = null,
        [Option("tablespace", Description = "Tablespace of the new plain table", ValueName = "TABLESPACE")] string? tablespace = null,
        [Option("connection", Description = "Npgsql connection string (default: $" + DoctorOptions.ConnectionVariable + ")", ValueName = "CONNECTION")] string? connection = null,
        [Option("host", Description = "Server host or socket directory (default: $PGHOST, else /var/run/postgresql)", ValueName = "HOST")] string? host = null,
        [Option("port", Description = "Server port (default: $PGPORT, else 5432)", ValueName = "PORT")] int? port = null,
        [Option("dbname", Description = "Database (default: $PGDATABASE, else postgres)", ValueName = "DBNAME")] string? dbname = null,
        [Option("username", Description = "Database user (default: $PGUSER, else postgres)", ValueName = "USER")] string? username = null,
        [Option("json", Description = "Write the outcome as one JSON object (progress then goes to stderr)")] bool json = false) =>
        RunPartitionAsync("unpartition", table, null, tablespace, connection, host, port, dbname, username, json);

    /// <summary><c>kmer-cli index</c>.</summary>
    [Command("index", Description = "Build a k-mer GIN index on a partitioned table, one partition per session in parallel (kmersearch_parallel_create_index), showing each partition as it finishes, and print one row per partition. "
        + ConnectionHelp + "Exit 0 done, 1 SQL error, 2 usage, 3 some partitions failed (no partitioned index; run again to finish), 4 cannot connect, "
        + "130 interrupted (Ctrl-C cancels the builds; partition indexes already built are kept).")]
    [OptionUsageFilter]
    public async Task<int> IndexAsync(
        [Option("table", Description = "Partitioned table name (quoted and schema-qualified names work)", ValueName = "TABLE")] string? table = null,
        [Option("column", Description = "DNA2 or DNA4 column name", ValueName = "COLUMN")] string? column = null,
        [Option("tablespace", Description = "Tablespace of the indexes", ValueName = "TABLESPACE")] string? tablespace = null,
        [Option("connection", Description = "Npgsql connection string (default: $" + DoctorOptions.ConnectionVariable + ")", ValueName = "CONNECTION")] string? connection = null,
        [Option("host", Description = "Server host or socket directory (default: $PGHOST, else /var/run/postgresql)", ValueName = "HOST")] string? host = null,
        [Option("port", Description = "Server port (default: $PGPORT, else 5432)", ValueName = "PORT")] int? port = null,
        [Option("dbname", Description = "Database (default: $PGDATABASE, else postgres)", ValueName = "DBNAME")] string? dbname = null,
        [Option("username", Description = "Database user (default: $PGUSER, else postgres)", ValueName = "USER")] string? username = null,
        [Option("kmer-size", Description = "kmersearch.kmer_size for the build (the index answers only queries under the same k and b)", ValueName = "K")] int? kmerSize = null,
        [Option("occur-bitlen", Description = "kmersearch.occur_bitlen for the build", ValueName = "BITS")] int? occurBitlen = null,
        [Option("parallel", Description = "max_parallel_maintenance_workers for the call: how many partitions are built at once (also capped by the worker pool size)", ValueName = "N")] int? parallel = null,
        [Option("json", Description = "Write the result as one JSON object (progress then goes to stderr)")] bool json = false)
    {
        string? problem = CheckIndex(table, column, port, kmerSize, occurBitlen, parallel);
        string connectionString = problem is null ? Resolve("index", connection, host, port, dbname, username, ref problem) : "";
        if (problem is not null)
        {
            await Console.Error.WriteLineAsync($"kmer-cli: index: {problem}").ConfigureAwait(false);
            return PartitionExitCodes.Usage;
        }

        var options = new IndexOptions(table!, column!, Blank(tablespace), connectionString, new AnalyzeSettings(KmerSize: kmerSize, OccurBitlen: occurBitlen, Readers: parallel), json);
        return await _service.IndexAsync(options, ConsoleFor(json), Token).ConfigureAwait(false);
    }

    /// <summary>What is wrong with the options of <c>partition</c> (with <paramref name="partitions"/>) or <c>unpartition</c>, or null.</summary>
    public static string? CheckPartition(string command, string? table, int? partitions, int? port)
    {
        if (string.IsNullOrEmpty(table))
        {
            return "--table is required";
        }

        if (command == "partition" && partitions is null)
        {
            return "--partitions is required";
        }

        return (partitions, port) switch
        {
            ({ } n, _) when n < 1 => "--partitions must be at least 1",
            (_, { } p) when p is < 1 or > 65535 => "--port must be between 1 and 65535",
            _ => null,
        };
    }

    /// <summary>What is wrong with the options of <c>index</c>, or null. The server checks the settings' ranges.</summary>
    public static string? CheckIndex(string? table, string? column, int? port, int? kmerSize, int? occurBitlen, int? parallel)
    {
        if (string.IsNullOrEmpty(table))
        {
            return "--table is required";
        }

        if (string.IsNullOrEmpty(column))
        {
            return "--column is required";
        }

        return (port, kmerSize, occurBitlen, parallel) switch
        {
            ({ } p, _, _, _) when p is < 1 or > 65535 => "--port must be between 1 and 65535",
            (_, { } k, _, _) when k < 1 => "--kmer-size must be a positive number of bases",
            (_, _, { } b, _) when b < 0 => "--occur-bitlen must not be negative",
            (_, _, _, { } n) when n < 1 => "--parallel must be at least 1",
            _ => null,
        };
    }

    private CancellationToken Token => _context.Current?.CancellationToken ?? CancellationToken.None;

    private async Task<int> RunPartitionAsync(
        string command, string? table, int? partitions, string? tablespace, string? connection, string? host, int? port, string? dbname, string? username, bool json)
    {
        string? problem = CheckPartition(command, table, partitions, port);
        string connectionString = problem is null ? Resolve(command, connection, host, port, dbname, username, ref problem) : "";
        if (problem is not null)
        {
            await Console.Error.WriteLineAsync($"kmer-cli: {command}: {problem}").ConfigureAwait(false);
            return PartitionExitCodes.Usage;
        }

        var options = new PartitionOptions(table!, command == "partition" ? partitions : null, Blank(tablespace), connectionString, json);
        return await _service.PartitionAsync(options, ConsoleFor(json), Token).ConfigureAwait(false);
    }

    private string Resolve(string command, string? connection, string? host, int? port, string? dbname, string? username, ref string? problem)
    {
        try
        {
            return PartitionConnection.Resolve(command, connection, host, port, dbname, username, _getEnvironmentVariable);
        }
        catch (ArgumentException ex)
        {
            problem = $"invalid connection: {ex.Message}";
            return "";
        }
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    // The progress goes to stdout, or to stderr with --json; a bar when that stream is a terminal.
    private static AnalyzeConsole ConsoleFor(bool json)
    {
        bool terminal = json ? !Console.IsErrorRedirected : !Console.IsOutputRedirected;
        return new AnalyzeConsole(Console.Out, Console.Error, terminal, terminal ? TerminalWidth() : 80);
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
