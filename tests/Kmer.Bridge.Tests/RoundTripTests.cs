using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>Every argument and result kind crosses the bridge and comes back equal, through the real pool.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class RoundTripTests : IClassFixture<BridgeFixture>
{
    private readonly BridgeFixture _fixture;

    public RoundTripTests(BridgeFixture fixture) => _fixture = fixture;

    [DatabaseTheory]
    [InlineData("42::smallint")]
    [InlineData("(-2147483648)::integer")]
    [InlineData("9223372036854775807::bigint")]
    [InlineData("(-9223372036854775808)::bigint")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("1.5::real")]
    [InlineData("0.1::real")]
    [InlineData("'-1e300'::double precision")]
    [InlineData("'NaN'::double precision")]
    [InlineData("'Infinity'::double precision")]
    [InlineData("'héllo wörld ✓'::text")]
    [InlineData("''::text")]
    [InlineData("'abc'::varchar(5)")]
    [InlineData("'ab '::char(3)")]
    [InlineData("'pg_class'::name")]
    [InlineData("'\\x00ff10'::bytea")]
    [InlineData("''::bytea")]
    [InlineData("4294967295::oid")]
    [InlineData("'pg_class'::regclass")]
    [InlineData("ARRAY['a', NULL, 'c']::text[]")]
    [InlineData("ARRAY[1, 2, NULL]::bigint[]")]
    [InlineData("'{}'::integer[]")]
    [InlineData("ARRAY[true, false]")]
    [InlineData("123.456::numeric")]
    [InlineData("'ACGTACGTTTGA'::dna2")]
    [InlineData("'ACGTNRYKMSWBDHV'::dna4")]
    [InlineData("'2026-11-24 10:00:00+00'::timestamptz")]
    [InlineData("ROW(1, 'x')::bridge_pair")]
    [InlineData("ROW(NULL, NULL)::bridge_pair")]
    [InlineData("NULL::integer")]
    [InlineData("NULL::text")]
    public async Task A_value_comes_back_equal_and_of_the_same_type(string expression)
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        List<object?[]> rows = await Sql.RowsAsync(connection,
            $"SELECT bridge_echo({expression}) IS NOT DISTINCT FROM {expression}, " +
            $"pg_typeof(bridge_echo({expression}))::text, pg_typeof({expression})::text");

        object?[] row = Assert.Single(rows);
        Assert.Equal(row[2], row[1]);
        Assert.True((bool)row[0]!, $"{expression} did not come back equal");
    }

    [DatabaseFact]
    public async Task A_multidimensional_array_is_refused()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        PostgresException error = await Sql.FailsAsync(connection, "SELECT bridge_echo(ARRAY[[1, 2], [3, 4]])");
        Assert.Equal("0A000", error.SqlState);
    }

    [DatabaseFact]
    public async Task A_table_result_has_every_row_and_column()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        List<object?[]> bridged = await Sql.RowsAsync(connection, "SELECT * FROM bridge_rows(7, 'r') ORDER BY i");
        List<object?[]> expected = await Sql.RowsAsync(connection,
            "SELECT g, 'r ' || g, g / 2.0::double precision, g % 2 = 0, ARRAY['t' || g, NULL] FROM generate_series(1, 7) g ORDER BY g");

        Assert.Equal(7, bridged.Count);
        Assert.Equal(expected, bridged);
    }

    [DatabaseFact]
    public async Task An_empty_set_and_a_set_of_scalars()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM bridge_rows(0, 'r')"));

        List<object?[]> rows = await Sql.RowsAsync(connection, "SELECT * FROM bridge_echo_set(ARRAY[3, 1, NULL, 2])");
        Assert.Equal(new object?[][] { [3], [1], [null], [2] }, rows);
    }

    [DatabaseFact]
    public async Task A_set_returning_call_works_in_the_select_list_too()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        Assert.Equal(10L, await Sql.ScalarAsync<long>(connection, "SELECT sum(x) FROM (SELECT bridge_echo_set(ARRAY[1, 2, 3, 4]) AS x) s"));
    }

    [DatabaseFact]
    public async Task The_call_carries_the_callers_session()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, """
            DO $$ BEGIN CREATE ROLE bridge_context_role; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            SET search_path = pg_catalog, public;
            SET kmersearch.kmer_size = 11;
            SET ROLE bridge_context_role;
            """);
        List<object?[]> rows = await Sql.RowsAsync(connection, """
            SELECT c.database = current_database(), c."user", c.search_path = current_setting('search_path'),
                   c.backend_pid = pg_backend_pid(), c.database_oid = (SELECT oid FROM pg_database WHERE datname = current_database()),
                   c.snapshot IS NOT NULL, c.setting_count > 15, c.kmer_size
            FROM bridge_context() c
            """);

        Assert.Equal(new object?[] { true, "bridge_context_role", true, true, true, true, true, "11" }, Assert.Single(rows));
    }

    [DatabaseFact]
    public async Task Inside_a_subtransaction_no_snapshot_is_exported_and_the_call_still_works()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await transaction.SaveAsync("sp1");
        List<object?[]> rows = await Sql.RowsAsync(connection, "SELECT snapshot IS NULL, database = current_database() FROM bridge_context()");
        Assert.Equal(new object?[] { true, true }, Assert.Single(rows));
    }
}
