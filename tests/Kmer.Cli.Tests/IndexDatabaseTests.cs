using System.Diagnostics;
using Npgsql;

namespace Kmer.Cli.Tests;

/// <summary>
/// <c>kmer-cli index</c>, <c>partition</c> and <c>unpartition</c> through
/// their service against the real server and worker pool.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class IndexDatabaseTests : IClassFixture<DatabaseFixture>
{
    private static readonly AnalyzeSettings K8B8 = new(KmerSize: 8, OccurBitlen: 8, Readers: 2);

    private readonly DatabaseFixture _database;

    public IndexDatabaseTests(DatabaseFixture database) => _database = database;

    [DatabaseFact]
    public async Task Index_prints_each_partition_as_it_finishes_and_the_result_table()
    {
        await CreatePartitionedAsync("cli_idx", 3);

        (int code, string stdout, string stderr) = await RunIndexAsync("cli_idx", K8B8, json: false);

        Assert.True(code == PartitionExitCodes.Ok, $"exit {code}: {stderr}");
        string[] lines = stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Count(l => l.Contains("  NOTICE  partition ", StringComparison.Ordinal) && l.Contains(": built index", StringComparison.Ordinal)));
        Assert.Contains("k-mer index of cli_idx.seq: 3 of 3 partitions indexed, 300 rows", stdout, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("  cli_idx_0  cli_idx_0_seq_gin_idx ", StringComparison.Ordinal) && l.EndsWith("  ok", StringComparison.Ordinal));

        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await using var valid = new NpgsqlCommand("SELECT indisvalid FROM pg_index WHERE indexrelid = 'cli_idx_seq_gin_idx'::regclass", connection);
        Assert.True((bool)(await valid.ExecuteScalarAsync())!);
    }

    [DatabaseFact]
    public async Task Index_exits_3_when_a_partition_fails_and_json_says_partial()
    {
        await CreatePartitionedAsync("cli_locked", 2);
        await using NpgsqlConnection locker = await _database.OpenConnectionAsync();
        await using NpgsqlTransaction transaction = await locker.BeginTransactionAsync();
        await DatabaseFixture.ExecuteAsync(locker, "LOCK cli_locked_1 IN ACCESS EXCLUSIVE MODE");

        (int code, string stdout, string stderr) = await RunIndexAsync("cli_locked", K8B8, json: true, options: "-c lock_timeout=300");

        Assert.True(code == PartitionExitCodes.PartitionsFailed, $"exit {code}: {stdout} {stderr}");
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal("partial", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("failed").GetInt32());
        Assert.Contains("  WARNING  partition ", stderr, StringComparison.Ordinal);
        await transaction.RollbackAsync();
    }

    [DatabaseFact]
    public async Task Index_of_a_plain_table_is_an_sql_error_and_ctrl_c_cancels_the_builds()
    {
        await using (NpgsqlConnection connection = await _database.OpenConnectionAsync())
        {
            await DatabaseFixture.ExecuteAsync(connection, "CREATE TABLE cli_plain (id int, seq dna2)");
        }

        (int code, _, string stderr) = await RunIndexAsync("cli_plain", K8B8, json: false);

        Assert.Equal(PartitionExitCodes.SqlError, code);
        Assert.Contains("kmer-cli: ERROR 42809: \"cli_plain\" is not a partitioned table", stderr, StringComparison.Ordinal);
        Assert.Contains("HINT:  ", stderr, StringComparison.Ordinal);

        // A build waiting on a lock, then Ctrl-C.
        await CreatePartitionedAsync("cli_cancel", 2);
        await using NpgsqlConnection locker = await _database.OpenConnectionAsync();
        await using NpgsqlTransaction transaction = await locker.BeginTransactionAsync();
        await DatabaseFixture.ExecuteAsync(locker, "LOCK cli_cancel_1 IN ACCESS EXCLUSIVE MODE");
        await using NpgsqlConnection observer = await _database.OpenConnectionAsync();
        using var ctrlC = new CancellationTokenSource();
        Task<(int, string, string)> run = RunIndexAsync("cli_cancel", K8B8, json: false, options: "-c lock_timeout=60000", cancellationToken: ctrlC.Token);
        var clock = Stopwatch.StartNew();
        while (!await WaitingOnLockAsync(observer))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "no build ever waited on the lock");
            await Task.Delay(20);
        }

        await ctrlC.CancelAsync();
        (int cancelled, _, string cancelledError) = await run;

        Assert.Equal(PartitionExitCodes.Cancelled, cancelled);
        Assert.Contains("kmer-cli: index: cancelled; the index builds were cancelled", cancelledError, StringComparison.Ordinal);
        await transaction.RollbackAsync();
    }

    [DatabaseFact]
    public async Task Partition_and_unpartition_run_the_partitioning_functions()
    {
        await using (NpgsqlConnection connection = await _database.OpenConnectionAsync())
        {
            await DatabaseFixture.ExecuteAsync(connection, "CREATE TABLE cli_part (id int, seq dna2)");
            await DatabaseFixture.ExecuteAsync(connection, "INSERT INTO cli_part SELECT i, 'ACGTACGTAC' FROM generate_series(1, 100) i");
        }

        (int code, string stdout, string stderr) = await RunPartitionAsync(new PartitionOptions("cli_part", 3, null, ConnectionString(), false));
        if (code == PartitionExitCodes.SqlError && stderr.Contains("ERROR 42883", StringComparison.Ordinal))
        {
            // The partitioning functions are not in this build of the extension yet: the error names the function.
            Assert.Contains("kmersearch_partition_table", stderr, StringComparison.Ordinal);
            return;
        }

        Assert.True(code == PartitionExitCodes.Ok, $"exit {code}: {stdout} {stderr}");
        Assert.Contains("partitioned cli_part into 3 hash partitions", stdout, StringComparison.Ordinal);
        Assert.Equal(3L, await ScalarAsync<long>("SELECT count(*) FROM pg_inherits WHERE inhparent = 'cli_part'::regclass"));
        Assert.Equal(100L, await ScalarAsync<long>("SELECT count(*) FROM cli_part"));

        (code, stdout, stderr) = await RunPartitionAsync(new PartitionOptions("cli_part", null, null, ConnectionString(), true));

        Assert.True(code == PartitionExitCodes.Ok, $"exit {code}: {stdout} {stderr}");
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal("unpartition", doc.RootElement.GetProperty("command").GetString());
        Assert.Equal("r", await ScalarAsync<string>("SELECT relkind::text FROM pg_class WHERE oid = 'cli_part'::regclass"));
        Assert.Equal(100L, await ScalarAsync<long>("SELECT count(*) FROM cli_part"));
    }

    private static async Task<bool> WaitingOnLockAsync(NpgsqlConnection observer)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'kmer-worker job %' AND wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX%'", observer);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    private async Task CreatePartitionedAsync(string table, int partitions)
    {
        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await DatabaseFixture.ExecuteAsync(connection, $"CREATE TABLE {table} (id int, seq dna2) PARTITION BY HASH (seq)");
        for (int i = 0; i < partitions; i++)
        {
            await DatabaseFixture.ExecuteAsync(connection, $"CREATE TABLE {table}_{i} PARTITION OF {table} FOR VALUES WITH (MODULUS {partitions}, REMAINDER {i})");
        }

        await DatabaseFixture.ExecuteAsync(connection,
            $"INSERT INTO {table} SELECT i, (SELECT string_agg(substr('ACGT', 1 + (i * 7 + j * 13) % 4, 1), '') FROM generate_series(1, 40 + i % 9) j)::dna2 FROM generate_series(1, {partitions * 100}) i");
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private string ConnectionString(string? options = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(TestDatabase.RequireConnectionString()) { Database = _database.DatabaseName, Options = options };
        return PartitionConnection.Resolve("index", builder.ConnectionString, null, null, null, null, _ => null);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunIndexAsync(
        string table, AnalyzeSettings settings, bool json, string? options = null, CancellationToken cancellationToken = default)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await new PartitionService(pollInterval: TimeSpan.FromMilliseconds(50))
            .IndexAsync(new IndexOptions(table, "seq", null, ConnectionString(options), settings, json), new AnalyzeConsole(stdout, stderr, ProgressIsTerminal: false), cancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunPartitionAsync(PartitionOptions options)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await new PartitionService().PartitionAsync(options, new AnalyzeConsole(stdout, stderr, ProgressIsTerminal: false));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
