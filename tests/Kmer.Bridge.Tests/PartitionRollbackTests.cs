using Npgsql;
using static Kmer.Bridge.Tests.PartitionTestSupport;

namespace Kmer.Bridge.Tests;

/// <summary>
/// Everything a partition call does runs in the caller's transaction: a
/// statement failing midway, a cancel, a statement_timeout or a ROLLBACK
/// leave the table exactly as it was (same OID, rows and definition, not one
/// object more), with no cleanup code.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class PartitionRollbackTests : IClassFixture<BridgeFixture>
{
    private readonly BridgeFixture _fixture;

    public PartitionRollbackTests(BridgeFixture fixture) => _fixture = fixture;

    private static string SlowTable(string table, int rows) => $"""
        {SlowCheckFunction}
        DROP TABLE IF EXISTS {table} CASCADE;
        CREATE TABLE {table} (id bigint CHECK (part_slow_ok(id)), seq dna2 NOT NULL, note text DEFAULT 'n', PRIMARY KEY (id, seq));
        INSERT INTO {table} (id, seq) SELECT i, {DnaOf}::dna2 FROM generate_series(1, {rows}) i;
        """;

    private static string SlowPartitionedTable(string table, int rows) => $"""
        {SlowCheckFunction}
        DROP TABLE IF EXISTS {table} CASCADE;
        CREATE TABLE {table} (id bigint CHECK (part_slow_ok(id)), seq dna2 NOT NULL, PRIMARY KEY (id, seq)) PARTITION BY HASH (seq);
        CREATE TABLE {table}_a PARTITION OF {table} FOR VALUES WITH (MODULUS 2, REMAINDER 0);
        CREATE TABLE {table}_b PARTITION OF {table} FOR VALUES WITH (MODULUS 2, REMAINDER 1);
        INSERT INTO {table} (id, seq) SELECT i, {DnaOf}::dna2 FROM generate_series(1, {rows}) i;
        """;

    [DatabaseFact]
    public async Task A_row_failing_midway_through_the_migration_leaves_the_table_as_it_was()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, $"""
            DROP TABLE IF EXISTS part_fail;
            DROP TABLE IF EXISTS part_blocked;
            CREATE TABLE part_blocked (id bigint);
            CREATE FUNCTION part_fail_ok(i bigint) RETURNS boolean LANGUAGE sql STABLE
                AS $$ SELECT NOT EXISTS (SELECT 1 FROM part_blocked b WHERE b.id = i) $$;
            CREATE TABLE part_fail (id bigint CONSTRAINT part_fail_allowed CHECK (part_fail_ok(id)), seq dna2, PRIMARY KEY (id, seq));
            INSERT INTO part_fail SELECT i, {DnaOf}::dna2 FROM generate_series(1, 20000) i;
            -- The rule changed after the rows went in: row 15000 no longer passes the check.
            INSERT INTO part_blocked VALUES (15000);
            SET maintenance_work_mem = '1MB';
            """);
        TableState before = await StateAsync(connection, "part_fail");
        List<(TimeSpan At, string Severity, string Message)> notices = CollectNotices(connection);

        PostgresException error = await Sql.FailsAsync(connection, "SELECT kmersearch_partition_table('part_fail', 4)");

        Assert.Equal("23514", error.SqlState);
        Assert.Equal("part_fail_allowed", error.ConstraintName);
        Assert.Contains(notices, n => n.Message == "migrating 20000 rows of part_fail in batches of about 1000 rows");
        Assert.Equal(before, await StateAsync(connection, "part_fail"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM pg_class WHERE relname ~ '^part_fail_([0-9]+|part_)'"));
    }

    [DatabaseFact]
    public async Task Pg_cancel_backend_during_the_migration_rolls_everything_back()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection observer = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(caller, SlowTable("part_cancel", 30000));
        TableState before = await StateAsync(caller, "part_cancel");
        await Sql.ExecuteAsync(caller, "SET maintenance_work_mem = '1MB'; SET part.slow = on");

        Task call = Sql.ExecuteAsync(caller, "SELECT kmersearch_partition_table('part_cancel', 4)");
        await WaitForProgressAsync(observer, caller.ProcessID, "kmersearch_partition_table", TimeSpan.FromSeconds(30));
        Assert.True(await Sql.ScalarAsync<bool>(observer, "SELECT pg_cancel_backend($1)", caller.ProcessID));
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => call);

        Assert.Equal("57014", error.SqlState);
        await Sql.ExecuteAsync(caller, "RESET part.slow");
        Assert.Equal(before, await StateAsync(caller, "part_cancel"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(observer,
            $"SELECT count(*) FROM kmersearch_worker_status() WHERE caller_pid = {caller.ProcessID} AND handler = 'kmersearch_partition_table'"));
    }

    [DatabaseFact]
    public async Task Statement_timeout_rolls_everything_back()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, SlowTable("part_timeout", 30000));
        TableState before = await StateAsync(connection, "part_timeout");
        await Sql.ExecuteAsync(connection, "SET maintenance_work_mem = '1MB'; SET part.slow = on; SET statement_timeout = '1s'");

        PostgresException error = await Sql.FailsAsync(connection, "SELECT kmersearch_partition_table('part_timeout', 4)");

        Assert.Equal("57014", error.SqlState);
        Assert.Contains("statement timeout", error.MessageText, StringComparison.Ordinal);
        await Sql.ExecuteAsync(connection, "RESET statement_timeout; RESET part.slow");
        Assert.Equal(before, await StateAsync(connection, "part_timeout"));
    }

    [DatabaseFact]
    public async Task Cancelling_an_unpartition_leaves_the_partitions_in_place()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection observer = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(caller, SlowPartitionedTable("part_uncancel", 30000));
        TableState before = await StateAsync(caller, "part_uncancel");
        await Sql.ExecuteAsync(caller, "SET maintenance_work_mem = '1MB'; SET part.slow = on");

        Task call = Sql.ExecuteAsync(caller, "SELECT kmersearch_unpartition_table('part_uncancel')");
        await WaitForProgressAsync(observer, caller.ProcessID, "kmersearch_unpartition_table", TimeSpan.FromSeconds(30));
        Assert.True(await Sql.ScalarAsync<bool>(observer, "SELECT pg_cancel_backend($1)", caller.ProcessID));
        Assert.Equal("57014", (await Assert.ThrowsAsync<PostgresException>(() => call)).SqlState);

        await Sql.ExecuteAsync(caller, "RESET part.slow");
        Assert.Equal(before, await StateAsync(caller, "part_uncancel"));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(caller, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'part_uncancel'::regclass"));
    }

    [DatabaseFact]
    public async Task A_rollback_after_success_undoes_partition_and_unpartition()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, SlowTable("part_undo", 2000));
        TableState before = await StateAsync(connection, "part_undo");

        await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync())
        {
            await Sql.ExecuteAsync(connection, "SELECT kmersearch_partition_table('part_undo', 2)");
            Assert.Equal("p", await Sql.ScalarAsync<string>(connection, "SELECT relkind::text FROM pg_class WHERE oid = 'part_undo'::regclass"));
            await Sql.ExecuteAsync(connection, "SELECT kmersearch_unpartition_table('part_undo')");
            await Sql.ExecuteAsync(connection, "SELECT kmersearch_partition_table('part_undo', 3)");
            Assert.Equal(2000L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM part_undo"));
            Assert.True(await Sql.ScalarAsync<bool>(connection, "SELECT to_regclass('part_undo_2') IS NOT NULL"));
            await transaction.RollbackAsync();
        }

        Assert.Equal(before, await StateAsync(connection, "part_undo"));
    }
}
