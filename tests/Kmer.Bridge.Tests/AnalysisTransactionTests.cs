using System.Globalization;
using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// The analysis writes in the caller's transaction and locks the table until
/// it ends; the undo deletes every analysis of a table and column.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AnalysisTransactionTests : IClassFixture<AnalysisFixture>, IAsyncLifetime
{
    private const string Table = "tx_reads";
    private readonly AnalysisFixture _fixture;

    public AnalysisTransactionTests(AnalysisFixture fixture) => _fixture = fixture;

    public async Task InitializeAsync()
    {
        if (!_fixture.IsAvailable)
        {
            return;
        }

        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await AnalysisSql.CreateTableAsync(connection, Table, "dna2", AnalysisData.Reads(99, 1000, 60, 120));
        await Sql.ExecuteAsync(connection, $"""
            DELETE FROM kmersearch_highfreq_kmer WHERE table_oid = '{Table}'::regclass;
            DELETE FROM kmersearch_highfreq_kmer_meta WHERE table_oid = '{Table}'::regclass;
            DELETE FROM kmersearch_gin_index_meta WHERE table_oid = '{Table}'::regclass;
            """);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [DatabaseFact]
    public async Task The_rate_reaches_the_pool_with_every_digit()
    {
        // 1000 rows × 0.00299999949 = 2.99999949 → threshold 2; rounded to six digits (0.003) it would be 3.
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await Sql.ExecuteAsync(connection, "SET LOCAL kmersearch.max_appearance_rate = 0.00299999949; SET LOCAL kmersearch.max_appearance_nrow = 0");

        List<object?[]> rows = await Sql.RowsAsync(connection,
            $"SELECT total_rows, max_appearance_nrow_used FROM kmersearch_perform_highfreq_analysis('{Table}', 'seq')");

        Assert.Equal(new object?[] { 1000L, 2 }, Assert.Single(rows));
        await transaction.RollbackAsync();
    }

    [DatabaseFact]
    public async Task A_rollback_after_a_successful_analysis_leaves_the_tables_as_they_were()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await AnalysisSql.SetAsync(connection, k: 10, b: 4, rate: 0.5, nrow: 2);
        List<string> before = await AnalysisSql.SystemTablesAsync(connection);

        await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync())
        {
            AnalysisResult result = await AnalysisSql.AnalyzeAsync(connection, Table);
            Assert.True(result.HighfreqKmersCount > 0);
            (long keys, long analyses) = await AnalysisSql.CountsForAsync(connection, Table);
            Assert.Equal(result.HighfreqKmersCount, keys);
            Assert.Equal(1L, analyses);
            await transaction.RollbackAsync();
        }

        Assert.Equal(before, await AnalysisSql.SystemTablesAsync(connection));
    }

    [DatabaseFact]
    public async Task The_exclusive_lock_is_held_until_the_callers_transaction_ends()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection writer = await _fixture.OpenAsync();
        await AnalysisSql.SetAsync(caller, k: 10, b: 4, rate: 0.5, nrow: 2);
        await using (NpgsqlTransaction transaction = await caller.BeginTransactionAsync())
        {
            await AnalysisSql.AnalyzeAsync(caller, Table);

            Assert.Equal(1L, await Sql.ScalarAsync<long>(writer, string.Create(CultureInfo.InvariantCulture,
                $"SELECT count(*) FROM pg_locks WHERE pid = {caller.ProcessID} AND relation = '{Table}'::regclass AND mode = 'ExclusiveLock' AND granted")));
            await Sql.ExecuteAsync(writer, "SET lock_timeout = '200ms'");
            PostgresException blocked = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(writer, $"INSERT INTO {Table} VALUES (0, 'ACGT')"));
            Assert.Equal("55P03", blocked.SqlState);
            Assert.Equal(1000L, await Sql.ScalarAsync<long>(writer, $"SELECT count(*) FROM {Table}"));
            await transaction.RollbackAsync();
        }

        await Sql.ExecuteAsync(writer, $"INSERT INTO {Table} VALUES (0, 'ACGT'); DELETE FROM {Table} WHERE id = 0");
    }

    [DatabaseFact]
    public async Task Rows_the_caller_wrote_earlier_in_its_transaction_are_not_counted()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await AnalysisSql.SetAsync(connection, k: 10, b: 4, rate: 0.5, nrow: 2);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await Sql.ExecuteAsync(connection, $"INSERT INTO {Table} SELECT id + 5000, seq FROM {Table}");
        Assert.Equal(2000L, await Sql.ScalarAsync<long>(connection, $"SELECT count(*) FROM {Table}"));

        AnalysisResult result = await AnalysisSql.AnalyzeAsync(connection, Table);

        // The readers see the committed rows under the caller's snapshot: its own new rows are not among them.
        Assert.Equal(1000L, result.TotalRows);
        await transaction.RollbackAsync();
    }

    [DatabaseFact]
    public async Task The_undo_deletes_every_analysis_of_the_table_and_column_and_a_new_analysis_then_works()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await AnalysisSql.SetAsync(connection, k: 10, b: 4, rate: 0.5, nrow: 2);
        AnalysisResult first = await AnalysisSql.AnalyzeAsync(connection, Table);
        await AnalysisSql.SetAsync(connection, k: 8, b: 2, rate: 0.5, nrow: 3);
        AnalysisResult second = await AnalysisSql.AnalyzeAsync(connection, Table);
        await Sql.ExecuteAsync(connection, $"""
            INSERT INTO kmersearch_gin_index_meta (index_oid, table_oid, column_name, highfreq_filtered, highfreq_source_table,
                                                   kmer_size, occur_bitlen, max_appearance_rate, max_appearance_nrow)
            VALUES (4000000001, '{Table}'::regclass, 'seq', true, '{Table}', 10, 4, 0.5, 2)
            """);
        Assert.True(first.HighfreqKmersCount > 0 && second.HighfreqKmersCount > 0);

        (int analyses, int keys, long bytes) = await AnalysisSql.UndoAsync(connection, Table);

        Assert.Equal(2, analyses);
        Assert.Equal(first.HighfreqKmersCount + second.HighfreqKmersCount, keys);
        Assert.Equal(64L * keys, bytes);
        Assert.Equal((0L, 0L), await AnalysisSql.CountsForAsync(connection, Table));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, $"SELECT count(*) FROM kmersearch_gin_index_meta WHERE table_oid = '{Table}'::regclass"));
        Assert.Equal((0, 0, 0L), await AnalysisSql.UndoAsync(connection, Table));

        AnalysisResult again = await AnalysisSql.AnalyzeAsync(connection, Table);
        Assert.Equal(second, again);
        await AnalysisSql.VerifyAsync(connection, Table, 8, 2, 0.5, 3, again);
        await AnalysisSql.UndoAsync(connection, Table);
    }

    [DatabaseFact]
    public async Task An_undo_rolled_back_leaves_the_analysis_in_place()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await AnalysisSql.SetAsync(connection, k: 10, b: 4, rate: 0.5, nrow: 2);
        await AnalysisSql.AnalyzeAsync(connection, Table);
        List<string> before = await AnalysisSql.SystemTablesAsync(connection);

        await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync())
        {
            Assert.Equal(1, (await AnalysisSql.UndoAsync(connection, Table)).Analyses);
            await transaction.RollbackAsync();
        }

        Assert.Equal(before, await AnalysisSql.SystemTablesAsync(connection));
        await AnalysisSql.UndoAsync(connection, Table);
    }
}
