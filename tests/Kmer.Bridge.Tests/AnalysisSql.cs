using System.Globalization;
using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>One row of <c>kmersearch_analysis_result</c>.</summary>
internal sealed record AnalysisResult(long TotalRows, int HighfreqKmersCount, int ParallelWorkersUsed, float MaxAppearanceRateUsed, int MaxAppearanceNrowUsed);

/// <summary>
/// SQL around the high-frequency analysis tests: loading tables, the settings,
/// the expected counts computed by the C extension's own key function (no
/// production C# involved), and the rows the analysis wrote.
/// </summary>
internal static class AnalysisSql
{
    /// <summary>The threshold rule of spec highfreq-analysis.md §1.3, written out independently of the worker's.</summary>
    public static long Threshold(long totalRows, double rate, int nrow)
    {
        ulong byRate = (ulong)(totalRows * rate);
        return (long)(nrow > 0 ? Math.Min(byRate, (ulong)nrow) : byRate);
    }

    /// <summary>Sets k, b (in an order every intermediate pair allows), the rate and the nrow limit for this session.</summary>
    public static Task SetAsync(NpgsqlConnection connection, int k, int b, double rate, int nrow) =>
        Sql.ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture, $"""
            SET kmersearch.occur_bitlen = 0;
            SET kmersearch.kmer_size = {k};
            SET kmersearch.occur_bitlen = {b};
            SET kmersearch.max_appearance_rate = {rate:R};
            SET kmersearch.max_appearance_nrow = {nrow};
            """));

    /// <summary>Creates <paramref name="table"/> (id integer, seq <paramref name="type"/>) with the values, ids 1, 2, … in order.</summary>
    public static async Task CreateTableAsync(NpgsqlConnection connection, string table, string type, IReadOnlyList<string?> values, string? extraSql = null)
    {
        await Sql.ExecuteAsync(connection, $"DROP TABLE IF EXISTS {table} CASCADE; CREATE TABLE {table} (id integer, seq {type}) {extraSql}");
        await LoadAsync(connection, table, values, firstId: 1);
    }

    /// <summary>Appends the values to <paramref name="table"/> (id, seq) by COPY, ids from <paramref name="firstId"/>.</summary>
    public static async Task LoadAsync(NpgsqlConnection connection, string table, IReadOnlyList<string?> values, int firstId)
    {
        await using TextWriter writer = await connection.BeginTextImportAsync($"COPY {table} (id, seq) FROM STDIN");
        for (int i = 0; i < values.Count; i++)
        {
            await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{firstId + i}\t{values[i] ?? "\\N"}\n"));
        }
    }

    /// <summary>
    /// For every n-gram key of <paramref name="column"/> under the session's k
    /// and b: the number of rows containing it, computed by the extension's C
    /// function kmersearch_ngram_keys.
    /// </summary>
    public static async Task<Dictionary<long, long>> ExpectedCountsAsync(NpgsqlConnection connection, string table, string column = "seq")
    {
        var counts = new Dictionary<long, long>();
        await using var command = new NpgsqlCommand(
            $"SELECT key, count(*) FROM (SELECT DISTINCT id, key FROM {table}, unnest(kmersearch_ngram_keys({column})) AS key) s GROUP BY key",
            connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts.Add(reader.GetInt64(0), reader.GetInt64(1));
        }

        return counts;
    }

    /// <summary>The rows of <c>kmersearch_highfreq_kmer</c> for the table, column, k and b: uintkey → appearance_nrow (and every detection_reason is 'threshold').</summary>
    public static async Task<Dictionary<long, long>> StoredKeysAsync(NpgsqlConnection connection, string table, string column, int k, int b)
    {
        var keys = new Dictionary<long, long>();
        await using var command = new NpgsqlCommand(
            "SELECT uintkey, appearance_nrow, detection_reason FROM kmersearch_highfreq_kmer "
            + "WHERE table_oid = $1::regclass AND column_name = $2 AND kmer_size = $3 AND occur_bitlen = $4",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        command.Parameters.Add(new NpgsqlParameter { Value = column });
        command.Parameters.Add(new NpgsqlParameter { Value = k });
        command.Parameters.Add(new NpgsqlParameter { Value = b });
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            Assert.Equal("threshold", reader.GetString(2));
            keys.Add(reader.GetInt64(0), reader.GetInt64(1));
        }

        return keys;
    }

    /// <summary>Runs the analysis and returns its result row.</summary>
    public static async Task<AnalysisResult> AnalyzeAsync(NpgsqlConnection connection, string table, string column = "seq")
    {
        await using var command = new NpgsqlCommand(
            "SELECT total_rows, highfreq_kmers_count, parallel_workers_used, max_appearance_rate_used, max_appearance_nrow_used "
            + "FROM kmersearch_perform_highfreq_analysis($1, $2)",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        command.Parameters.Add(new NpgsqlParameter { Value = column });
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var result = new AnalysisResult(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetFloat(3), reader.GetInt32(4));
        Assert.False(await reader.ReadAsync());
        return result;
    }

    /// <summary>Runs the undo; returns (dropped_analyses, dropped_highfreq_kmers, freed_storage_bytes).</summary>
    public static async Task<(int Analyses, int Keys, long Bytes)> UndoAsync(NpgsqlConnection connection, string table, string column = "seq")
    {
        await using var command = new NpgsqlCommand("SELECT * FROM kmersearch_undo_highfreq_analysis($1, $2)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        command.Parameters.Add(new NpgsqlParameter { Value = column });
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2));
    }

    /// <summary>Every row of the analysis tables, as text, to check that something changed nothing.</summary>
    public static async Task<List<string>> SystemTablesAsync(NpgsqlConnection connection)
    {
        var rows = new List<string>();
        foreach (string sql in new[]
        {
            "SELECT format('%s %s %s %s %s %s %s %s', table_oid, column_name, kmer_size, occur_bitlen, uintkey, appearance_nrow, detection_reason, created_at) FROM kmersearch_highfreq_kmer ORDER BY 1",
            "SELECT format('%s %s %s %s %s %s %s', table_oid, column_name, kmer_size, occur_bitlen, max_appearance_rate, max_appearance_nrow, analysis_timestamp) FROM kmersearch_highfreq_kmer_meta ORDER BY 1",
            "SELECT format('%s %s %s', index_oid, table_oid, column_name) FROM kmersearch_gin_index_meta ORDER BY 1",
        })
        {
            foreach (object?[] row in await Sql.RowsAsync(connection, sql))
            {
                rows.Add((string)row[0]!);
            }

            rows.Add("--");
        }

        return rows;
    }

    /// <summary>The number of rows the analysis tables hold for <paramref name="table"/>: (keys, meta rows).</summary>
    public static async Task<(long Keys, long Analyses)> CountsForAsync(NpgsqlConnection connection, string table)
    {
        List<object?[]> rows = await Sql.RowsAsync(connection, string.Create(CultureInfo.InvariantCulture, $"""
            SELECT (SELECT count(*) FROM kmersearch_highfreq_kmer WHERE table_oid = '{table}'::regclass),
                   (SELECT count(*) FROM kmersearch_highfreq_kmer_meta WHERE table_oid = '{table}'::regclass)
            """));
        return ((long)rows[0][0]!, (long)rows[0][1]!);
    }

    /// <summary>
    /// Checks the analysis of <paramref name="table"/> against the counts the
    /// C extension computes: the result row, every stored key and count, and
    /// the meta row. The session's k, b, rate and nrow are the analysis'.
    /// </summary>
    public static async Task VerifyAsync(NpgsqlConnection connection, string table, int k, int b, double rate, int nrow, AnalysisResult result, int? expectedWorkers = null)
    {
        long totalRows = await Sql.ScalarAsync<long>(connection, $"SELECT count(*) FROM {table}");
        Dictionary<long, long> counts = await ExpectedCountsAsync(connection, table);
        long threshold = Threshold(totalRows, rate, nrow);
        Dictionary<long, long> expected = counts.Where(c => c.Value > threshold).ToDictionary(c => c.Key, c => c.Value);
        Dictionary<long, long> stored = await StoredKeysAsync(connection, table, "seq", k, b);

        Assert.Equal(totalRows, result.TotalRows);
        Assert.Equal(expected.Count, result.HighfreqKmersCount);
        Assert.Equal((float)rate, result.MaxAppearanceRateUsed);
        Assert.Equal(threshold, result.MaxAppearanceNrowUsed);
        if (expectedWorkers is int workers)
        {
            Assert.Equal(workers, result.ParallelWorkersUsed);
        }
        else
        {
            Assert.InRange(result.ParallelWorkersUsed, 1, 4);
        }

        Assert.Equal(expected.OrderBy(e => e.Key), stored.OrderBy(e => e.Key));

        List<object?[]> meta = await Sql.RowsAsync(connection, string.Create(CultureInfo.InvariantCulture, $"""
            SELECT max_appearance_rate, max_appearance_nrow FROM kmersearch_highfreq_kmer_meta
             WHERE table_oid = '{table}'::regclass AND column_name = 'seq' AND kmer_size = {k} AND occur_bitlen = {b}
            """));
        object?[] row = Assert.Single(meta);
        Assert.Equal((float)Math.Round(rate, 6), (float)row[0]!);
        Assert.Equal(nrow, (int)row[1]!);
    }
}
