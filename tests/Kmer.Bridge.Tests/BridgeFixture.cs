using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// A scratch database (see <see cref="DatabaseFixture"/>) with SQL functions
/// declared over the pool's diagnostics handlers, which the test cluster's
/// pool enables (<c>KMER_Worker__EnableDiagnosticHandlers=true</c>, set by
/// scripts/test-all.sh before the server starts its pool).
/// </summary>
public sealed class BridgeFixture : IAsyncLifetime
{
    private const string Declarations = """
        CREATE TYPE bridge_pair AS (a integer, b text);
        CREATE FUNCTION bridge_echo(anyelement) RETURNS anyelement LANGUAGE kmersearch_bridge AS 'diagnostics.echo';
        CREATE FUNCTION bridge_echo_set(anyarray) RETURNS SETOF anyelement LANGUAGE kmersearch_bridge AS 'diagnostics.echo';
        CREATE FUNCTION bridge_text_as_int(text) RETURNS integer LANGUAGE kmersearch_bridge AS 'diagnostics.echo';
        CREATE FUNCTION bridge_int8_as_int2(bigint) RETURNS smallint LANGUAGE kmersearch_bridge AS 'diagnostics.echo';
        CREATE FUNCTION bridge_rows(n integer, prefix text)
            RETURNS TABLE(i integer, label text, half double precision, even boolean, tags text[])
            LANGUAGE kmersearch_bridge AS 'diagnostics.rows';
        CREATE FUNCTION bridge_context(OUT database text, OUT "user" text, OUT search_path text, OUT backend_pid integer,
                                       OUT database_oid oid, OUT snapshot text, OUT setting_count integer, OUT kmer_size text)
            LANGUAGE kmersearch_bridge AS 'diagnostics.context';
        CREATE FUNCTION bridge_notice(level text, message text, detail text, hint text) RETURNS void
            LANGUAGE kmersearch_bridge AS 'diagnostics.notice';
        CREATE FUNCTION bridge_fail(sqlstate text, message text, detail text, hint text) RETURNS void
            LANGUAGE kmersearch_bridge AS 'diagnostics.fail';
        CREATE FUNCTION bridge_sleep(seconds double precision) RETURNS boolean LANGUAGE kmersearch_bridge AS 'diagnostics.sleep';
        CREATE FUNCTION bridge_spi(sql text, read_only boolean) RETURNS bigint LANGUAGE kmersearch_bridge AS 'diagnostics.spi';
        CREATE FUNCTION bridge_spi_batch(target text, batches integer, rows_per_batch integer) RETURNS bigint
            LANGUAGE kmersearch_bridge AS 'diagnostics.spi_batch';
        CREATE FUNCTION bridge_read_count(target text) RETURNS bigint LANGUAGE kmersearch_bridge AS 'diagnostics.read_count';
        CREATE FUNCTION bridge_missing() RETURNS integer LANGUAGE kmersearch_bridge AS 'diagnostics.no_such_handler';
        """;

    /// <summary>The scratch database.</summary>
    public DatabaseFixture Database { get; } = new();

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        if (Database.DatabaseName is null)
        {
            return;
        }

        await using NpgsqlConnection connection = await Database.OpenConnectionAsync();
        await DatabaseFixture.ExecuteAsync(connection, Declarations);
    }

    /// <inheritdoc/>
    public Task DisposeAsync() => Database.DisposeAsync();

    /// <summary>Opens a connection to the scratch database.</summary>
    public Task<NpgsqlConnection> OpenAsync() => Database.OpenConnectionAsync();
}
