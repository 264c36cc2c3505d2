using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>SPI requests from the pool run in the caller's transaction, with the caller's privileges.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SpiTests : IClassFixture<BridgeFixture>, IAsyncLifetime
{
    private readonly BridgeFixture _fixture;

    public SpiTests(BridgeFixture fixture) => _fixture = fixture;

    public async Task InitializeAsync()
    {
        if (_fixture.Database.DatabaseName is null)
        {
            return;
        }

        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, """
            DROP TABLE IF EXISTS spi_target;
            CREATE TABLE spi_target (id bigint, label text);
            DO $$ BEGIN CREATE ROLE spi_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT SELECT ON spi_target TO spi_reader;
            """);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [DatabaseFact]
    public async Task Writes_are_part_of_the_callers_transaction_and_roll_back_with_it()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync())
        {
            Assert.Equal(1L, await Sql.ScalarAsync<long>(connection, "SELECT bridge_spi('INSERT INTO spi_target VALUES (1, ''one'')', false)"));
            Assert.Equal(300L, await Sql.ScalarAsync<long>(connection, "SELECT bridge_spi_batch('public.spi_target', 3, 100)"));
            Assert.Equal(301L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM spi_target"));
            await transaction.RollbackAsync();
        }

        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM spi_target"));
    }

    [DatabaseFact]
    public async Task Committed_batches_hold_exactly_the_rows_sent()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        Assert.Equal(2500L, await Sql.ScalarAsync<long>(connection, "SELECT bridge_spi_batch('public.spi_target', 5, 500)"));

        List<object?[]> rows = await Sql.RowsAsync(connection,
            "SELECT count(*), count(DISTINCT id), min(id), max(id), bool_and(label = 'row ' || id) FROM spi_target");
        Assert.Equal(new object?[] { 2500L, 2500L, 1L, 2500L, true }, Assert.Single(rows));
        await Sql.ExecuteAsync(connection, "TRUNCATE spi_target");
    }

    [DatabaseFact]
    public async Task A_query_returns_its_rows_to_the_pool()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        Assert.Equal(7L, await Sql.ScalarAsync<long>(connection, "SELECT bridge_spi('SELECT g, g::text FROM generate_series(1, 7) g', true)"));
    }

    [DatabaseFact]
    public async Task A_failing_statement_fails_the_call_with_its_own_error()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        PostgresException error = await Sql.FailsAsync(connection, "SELECT bridge_spi('INSERT INTO no_such_table VALUES (1)', false)");
        Assert.Equal("42P01", error.SqlState);

        PostgresException readOnly = await Sql.FailsAsync(connection, "SELECT bridge_spi('INSERT INTO spi_target VALUES (2, ''x'')', true)");
        Assert.Equal("0A000", readOnly.SqlState);

        // The next call reconnects and works.
        Assert.Equal(9, await Sql.ScalarAsync<int>(connection, "SELECT bridge_echo(9)"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM spi_target"));
    }

    [DatabaseFact]
    public async Task A_statement_of_the_pool_cannot_call_another_bridged_function()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        PostgresException error = await Sql.FailsAsync(connection, "SELECT bridge_spi('SELECT bridge_echo(1)', true)");
        Assert.Equal("0A000", error.SqlState);
        Assert.Contains("another bridged call", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(2, await Sql.ScalarAsync<int>(connection, "SELECT bridge_echo(2)"));
    }

    [DatabaseFact]
    public async Task Statements_run_with_the_callers_privileges()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, "SET ROLE spi_reader");

        PostgresException error = await Sql.FailsAsync(connection, "SELECT bridge_spi('INSERT INTO spi_target VALUES (3, ''x'')', false)");
        Assert.Equal("42501", error.SqlState);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, "SELECT bridge_spi('SELECT * FROM spi_target', true)"));
    }
}
