using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>The pool's own connections act as the caller (SET ROLE) and see what the caller sees (its exported snapshot).</summary>
[Collection(DatabaseCollection.Name)]
public sealed class CallerSessionTests : IClassFixture<BridgeFixture>, IAsyncLifetime
{
    private readonly BridgeFixture _fixture;

    public CallerSessionTests(BridgeFixture fixture) => _fixture = fixture;

    public async Task InitializeAsync()
    {
        if (_fixture.Database.DatabaseName is null)
        {
            return;
        }

        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, """
            DROP TABLE IF EXISTS secret, visible;
            CREATE TABLE secret (id int);
            INSERT INTO secret SELECT generate_series(1, 10);
            CREATE TABLE visible (id int);
            INSERT INTO visible SELECT generate_series(1, 20);
            DO $$ BEGIN CREATE ROLE session_role; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT SELECT ON visible TO session_role;
            """);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [DatabaseFact]
    public async Task A_role_without_select_cannot_read_through_the_pool()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        Assert.Equal(10L, await Sql.ScalarAsync<long>(connection, "SELECT bridge_read_count('public.secret')"));

        await Sql.ExecuteAsync(connection, "SET ROLE session_role");
        PostgresException error = await Sql.FailsAsync(connection, "SELECT bridge_read_count('public.secret')");
        Assert.Equal("42501", error.SqlState);
        Assert.Equal(20L, await Sql.ScalarAsync<long>(connection, "SELECT bridge_read_count('public.visible')"));
    }

    [DatabaseFact]
    public async Task The_pool_reads_under_the_callers_snapshot()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection writer = await _fixture.OpenAsync();
        await using NpgsqlTransaction transaction = await caller.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        long before = await Sql.ScalarAsync<long>(caller, "SELECT count(*) FROM visible");

        await Sql.ExecuteAsync(writer, "INSERT INTO visible SELECT generate_series(1, 5)");

        Assert.Equal(before, await Sql.ScalarAsync<long>(caller, "SELECT bridge_read_count('public.visible')"));
        Assert.Equal(before + 5, await Sql.ScalarAsync<long>(writer, "SELECT bridge_read_count('public.visible')"));
        await transaction.RollbackAsync();
        await Sql.ExecuteAsync(writer, "DELETE FROM visible WHERE ctid IN (SELECT ctid FROM visible ORDER BY ctid DESC LIMIT 5)");
    }
}
