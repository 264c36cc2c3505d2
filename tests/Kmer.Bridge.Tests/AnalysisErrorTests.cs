using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// Bad arguments, unsuitable relations, an existing analysis and missing
/// privileges end the analysis with a clear ERROR and its SQLSTATE, and
/// nothing is written.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AnalysisErrorTests : IClassFixture<AnalysisFixture>, IAsyncLifetime
{
    private readonly AnalysisFixture _fixture;

    public AnalysisErrorTests(AnalysisFixture fixture) => _fixture = fixture;

    public async Task InitializeAsync()
    {
        if (!_fixture.IsAvailable)
        {
            return;
        }

        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        if (await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM pg_class WHERE relname = 'err_reads'") > 0)
        {
            return;
        }

        await AnalysisSql.CreateTableAsync(connection, "err_reads", "dna2", AnalysisData.Reads(5, 500, 60, 100));
        await Sql.ExecuteAsync(connection, """
            CREATE TABLE err_other (id integer, seq dna4);
            INSERT INTO err_other VALUES (1, 'ACGTNACGTACGT');
            CREATE VIEW err_view AS SELECT * FROM err_reads;
            CREATE TABLE err_empty_parent (id integer, seq dna2) PARTITION BY RANGE (id);
            DO $$ BEGIN CREATE ROLE analysis_nobody; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DO $$ BEGIN CREATE ROLE analysis_writer; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DO $$ BEGIN CREATE ROLE analysis_selector; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT UPDATE ON err_reads TO analysis_writer;
            GRANT SELECT ON err_reads TO analysis_selector;
            """);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string, string, string, string> BadArguments => new()
    {
        { "no_such_table", "seq", "42P01", "relation \"no_such_table\" does not exist" },
        { "public.no_such_table", "seq", "42P01", "does not exist" },
        { "nosuchschema.err_reads", "seq", "42P01", "does not exist" },
        { "\"unterminated", "seq", "42P01", "does not exist" },
        { "4294967295", "seq", "42P01", "relation with OID 4294967295 does not exist" },
        { "err_reads", "no_such_column", "42703", "column \"no_such_column\" of relation \"public.err_reads\" does not exist" },
        { "err_reads", "SEQ", "42703", "does not exist" },
        { "err_reads", "", "42703", "does not exist" },
        { "err_reads", "3", "42P10", "column number 3 is out of range" },
        { "err_reads", "99999999999999999999", "42P10", "out of range" },
        { "err_reads", "id", "42804", "column \"id\" of relation \"public.err_reads\" is of type integer, not dna2 or dna4" },
        { "err_reads", "1", "42804", "is of type integer" },
        { "err_view", "seq", "42809", "\"public.err_view\" is not a table" },
        { "err_empty_parent", "seq", "55000", "has no partitions" },
    };

    [DatabaseTheory]
    [MemberData(nameof(BadArguments))]
    public async Task Bad_arguments_fail_with_their_sqlstate_and_write_nothing(string table, string column, string sqlState, string message)
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        List<string> before = await AnalysisSql.SystemTablesAsync(connection);

        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => AnalysisSql.AnalyzeAsync(connection, table, column));

        Assert.Equal(sqlState, error.SqlState);
        Assert.Contains(message, error.MessageText, StringComparison.Ordinal);
        Assert.Equal(before, await AnalysisSql.SystemTablesAsync(connection));
    }

    [DatabaseFact]
    public async Task The_undo_resolves_the_table_the_same_way()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => AnalysisSql.UndoAsync(connection, "no_such_table"));
        Assert.Equal("42P01", error.SqlState);

        // The column is not checked: nothing to delete is (0, 0, 0).
        Assert.Equal((0, 0, 0L), await AnalysisSql.UndoAsync(connection, "err_reads", "no_such_column"));
    }

    [DatabaseFact]
    public async Task An_existing_analysis_is_an_error_with_a_hint_to_undo_it_first_and_nothing_changes()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await AnalysisSql.SetAsync(connection, k: 8, b: 2, rate: 0.5, nrow: 3);
        AnalysisResult first = await AnalysisSql.AnalyzeAsync(connection, "err_reads");
        Assert.True(first.HighfreqKmersCount > 0);
        await Sql.ExecuteAsync(connection, "INSERT INTO err_reads SELECT id + 1000, seq FROM err_reads");
        List<string> before = await AnalysisSql.SystemTablesAsync(connection);

        // Another rate or limit does not make it another analysis: same table, column, k and b.
        await AnalysisSql.SetAsync(connection, k: 8, b: 2, rate: 0.1, nrow: 0);
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => AnalysisSql.AnalyzeAsync(connection, "err_reads"));

        Assert.Equal("42710", error.SqlState);
        Assert.Contains("already exists", error.MessageText, StringComparison.Ordinal);
        Assert.Contains("kmersearch_undo_highfreq_analysis", error.Hint, StringComparison.Ordinal);
        Assert.Equal(before, await AnalysisSql.SystemTablesAsync(connection));

        // Another b is another analysis.
        await AnalysisSql.SetAsync(connection, k: 8, b: 3, rate: 0.5, nrow: 3);
        Assert.Equal(first.TotalRows * 2, (await AnalysisSql.AnalyzeAsync(connection, "err_reads")).TotalRows);

        await AnalysisSql.UndoAsync(connection, "err_reads");
        await Sql.ExecuteAsync(connection, "DELETE FROM err_reads WHERE id > 1000");
    }

    [DatabaseTheory]
    [InlineData("analysis_nobody")]
    [InlineData("analysis_writer")]
    public async Task A_role_that_may_not_read_the_table_gets_42501_and_nothing_is_written(string role)
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        List<string> before = await AnalysisSql.SystemTablesAsync(connection);
        await Sql.ExecuteAsync(connection, $"SET ROLE {role}");

        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => AnalysisSql.AnalyzeAsync(connection, "err_reads"));

        Assert.Equal("42501", error.SqlState);
        Assert.Contains("permission denied", error.MessageText, StringComparison.Ordinal);
        await Sql.ExecuteAsync(connection, "RESET ROLE");
        Assert.Equal(before, await AnalysisSql.SystemTablesAsync(connection));
    }

    [DatabaseFact]
    public async Task A_role_that_may_only_read_cannot_lock_the_table()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, "SET ROLE analysis_selector");

        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => AnalysisSql.AnalyzeAsync(connection, "err_reads"));

        Assert.Equal("42501", error.SqlState);
    }

    [DatabaseFact]
    public async Task A_temporary_table_cannot_be_read_by_the_pool()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, "CREATE TEMP TABLE err_temp (id integer, seq dna2); INSERT INTO err_temp VALUES (1, 'ACGTACGTACGTACGTACGT')");

        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => AnalysisSql.AnalyzeAsync(connection, "err_temp"));

        Assert.Equal("0A000", error.SqlState);
        Assert.Contains("temporary table", error.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task A_table_this_transaction_created_is_refused_rather_than_waited_for()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await Sql.ExecuteAsync(connection, "CREATE TABLE err_new (id integer, seq dna2); INSERT INTO err_new VALUES (1, 'ACGTACGTACGTACGTACGT')");

        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => AnalysisSql.AnalyzeAsync(connection, "err_new"));

        Assert.Equal("55006", error.SqlState);
        Assert.Contains("ACCESS EXCLUSIVE", error.MessageText, StringComparison.Ordinal);
        await transaction.RollbackAsync();
    }
}
