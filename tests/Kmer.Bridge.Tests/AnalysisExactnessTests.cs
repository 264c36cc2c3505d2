using System.Globalization;
using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// kmersearch_perform_highfreq_analysis writes exactly the keys, counts and
/// result that the C extension's own key function and the threshold rule
/// give, for DNA2 and DNA4, k from 4 to 32, several b, rates and limits,
/// NULLs, empty and too-short values, partitioned tables, odd names, and the
/// spec's worked example.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AnalysisExactnessTests : IClassFixture<AnalysisFixture>
{
    private readonly AnalysisFixture _fixture;

    public AnalysisExactnessTests(AnalysisFixture fixture) => _fixture = fixture;

    /// <summary>(type, data, k, b, rate, nrow): data is random, reads (from the lambda genome) or reads4 (reads with degenerate codes).</summary>
    public static TheoryData<string, string, int, int, double, int> Cases => new()
    {
        { "dna2", "random", 4, 0, 0.2, 0 },
        { "dna2", "random", 4, 2, 0.15, 0 },
        { "dna2", "random", 6, 1, 0.25, 30 },
        { "dna2", "random", 8, 8, 0, 0 },          // rate 0: every key, so every count is compared
        { "dna2", "random", 8, 4, 0.01, 2 },
        { "dna2", "reads", 12, 4, 0.5, 2 },
        { "dna2", "reads", 16, 8, 0.5, 3 },
        { "dna2", "reads", 24, 16, 0, 0 },         // 2k + b = 64: keys above 2^63 are negative bigints
        { "dna2", "reads", 31, 2, 0.5, 1 },
        { "dna2", "reads", 32, 0, 0.002, 0 },
        { "dna4", "random", 4, 3, 0.1, 0 },
        { "dna4", "random", 5, 0, 0, 0 },
        { "dna4", "random", 7, 6, 0.05, 5 },
        { "dna4", "reads4", 12, 8, 0.5, 2 },
        { "dna4", "reads4", 20, 8, 0, 0 },
        { "dna4", "reads4", 28, 8, 0.5, 1 },
        { "dna4", "reads4", 32, 0, 0.003, 0 },
    };

    [DatabaseTheory]
    [MemberData(nameof(Cases))]
    public async Task The_stored_keys_and_counts_are_those_of_the_extensions_key_function(string type, string data, int k, int b, double rate, int nrow)
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        int seed = HashCode.Combine(type, data, k, b);
        List<string?> values = data switch
        {
            "random" when type == "dna2" => AnalysisData.RandomDna2(seed, 1500, 20, 120),
            "random" => AnalysisData.RandomDna4(seed, 1500, 20, 120, degenerateRate: 0.03),
            "reads" => AnalysisData.Reads(seed, 1500, 60, 150),
            _ => AnalysisData.Reads(seed, 1500, 60, 150, degenerateRate: 0.01),
        };
        string table = string.Create(CultureInfo.InvariantCulture, $"exact_{type}_{data}_{k}_{b}");
        await AnalysisSql.CreateTableAsync(connection, table, type, AnalysisData.WithEdgeCases(values, k, seed));
        await AnalysisSql.SetAsync(connection, k, b, rate, nrow);

        AnalysisResult result = await AnalysisSql.AnalyzeAsync(connection, table);

        await AnalysisSql.VerifyAsync(connection, table, k, b, rate, nrow, result);
        Assert.True(result.HighfreqKmersCount > 0, "the case should find high-frequency keys");
        await AnalysisSql.UndoAsync(connection, table);
        await Sql.ExecuteAsync(connection, $"DROP TABLE {table}");
    }

    [DatabaseFact]
    public async Task The_worked_example_of_the_spec_gives_its_result_exactly()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await AnalysisSql.CreateTableAsync(connection, "worked", "dna2", ["ACGTACGT", "ACGTTTTT", "GGACGTCC", "TTTTTTTT", null]);
        await AnalysisSql.SetAsync(connection, k: 4, b: 2, rate: 0.5, nrow: 0);

        AnalysisResult result = await AnalysisSql.AnalyzeAsync(connection, "worked");

        Assert.Equal(new AnalysisResult(5, 1, 1, 0.5f, 2), result);
        Assert.Equal([new KeyValuePair<long, long>(108, 3)], await AnalysisSql.StoredKeysAsync(connection, "worked", "seq", 4, 2));

        await AnalysisSql.UndoAsync(connection, "worked");
        await AnalysisSql.SetAsync(connection, k: 4, b: 2, rate: 0.5, nrow: 1);
        result = await AnalysisSql.AnalyzeAsync(connection, "worked");

        Assert.Equal(new AnalysisResult(5, 3, 1, 0.5f, 1), result);
        Assert.Equal(
            [new(108, 3), new(1020, 2), new(1021, 2)],
            (await AnalysisSql.StoredKeysAsync(connection, "worked", "seq", 4, 2)).OrderBy(e => e.Key));
        List<object?[]> meta = await Sql.RowsAsync(connection,
            "SELECT max_appearance_rate, max_appearance_nrow FROM kmersearch_highfreq_kmer_meta WHERE table_oid = 'worked'::regclass");
        Assert.Equal(new object?[] { 0.5f, 1 }, Assert.Single(meta));
    }

    [DatabaseFact]
    public async Task An_empty_table_gives_zero_rows_and_keys_and_still_records_the_analysis()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await AnalysisSql.CreateTableAsync(connection, "empty", "dna4", []);
        await AnalysisSql.SetAsync(connection, k: 8, b: 4, rate: 0.25, nrow: 7);

        AnalysisResult result = await AnalysisSql.AnalyzeAsync(connection, "empty");

        Assert.Equal(new AnalysisResult(0, 0, 1, 0.25f, 0), result);
        Assert.Equal((0L, 1L), await AnalysisSql.CountsForAsync(connection, "empty"));
    }

    [DatabaseFact]
    public async Task Nulls_and_values_shorter_than_k_count_as_rows_but_yield_no_keys()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await AnalysisSql.CreateTableAsync(connection, "short_values", "dna2", [null, "", "ACGTACG", "ACG", null, "TTTTTTT", "ACGTACGTAC"]);
        await AnalysisSql.SetAsync(connection, k: 8, b: 0, rate: 0, nrow: 0);

        AnalysisResult result = await AnalysisSql.AnalyzeAsync(connection, "short_values");

        // Only ACGTACGTAC has 8-mers: ACGTACGT, CGTACGTA, GTACGTAC, each in one row.
        Assert.Equal(new AnalysisResult(7, 3, 1, 0f, 0), result);
        await AnalysisSql.VerifyAsync(connection, "short_values", 8, 0, 0, 0, result);
    }

    [DatabaseFact]
    public async Task A_two_level_partitioned_table_is_counted_over_all_its_leaves_and_recorded_under_the_parent()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, """
            DROP TABLE IF EXISTS parts CASCADE;
            CREATE TABLE parts (id integer, seq dna2) PARTITION BY RANGE (id);
            CREATE TABLE parts_low PARTITION OF parts FOR VALUES FROM (MINVALUE) TO (1000);
            CREATE TABLE parts_high PARTITION OF parts FOR VALUES FROM (1000) TO (MAXVALUE) PARTITION BY HASH (id);
            CREATE TABLE parts_high_0 PARTITION OF parts_high FOR VALUES WITH (MODULUS 2, REMAINDER 0);
            -- A leaf whose column has another attribute number: created apart, with a dropped column first.
            CREATE TABLE parts_high_1 (filler text, id integer, seq dna2);
            ALTER TABLE parts_high_1 DROP COLUMN filler;
            ALTER TABLE parts_high ATTACH PARTITION parts_high_1 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
            """);
        await AnalysisSql.LoadAsync(connection, "parts", AnalysisData.WithEdgeCases(AnalysisData.Reads(7, 2500, 60, 150), 16, 7), firstId: 1);
        Assert.Equal(3L, await Sql.ScalarAsync<long>(connection,
            "SELECT count(*) FROM pg_partition_tree('parts') t WHERE t.isleaf AND EXISTS (SELECT 1 FROM parts p WHERE p.tableoid = t.relid)"));
        await AnalysisSql.SetAsync(connection, k: 16, b: 4, rate: 0.5, nrow: 2);

        AnalysisResult result = await AnalysisSql.AnalyzeAsync(connection, "parts");

        await AnalysisSql.VerifyAsync(connection, "parts", 16, 4, 0.5, 2, result);
        Assert.True(result.HighfreqKmersCount > 0);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection,
            "SELECT count(*) FROM kmersearch_highfreq_kmer WHERE table_oid <> 'parts'::regclass AND table_oid::regclass::text LIKE 'parts%'"));
    }

    [DatabaseFact]
    public async Task Schema_qualified_mixed_case_and_oid_names_and_column_numbers_resolve()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, """
            DROP SCHEMA IF EXISTS "Other Schema" CASCADE;
            CREATE SCHEMA "Other Schema";
            CREATE TABLE "Other Schema"."Mixed Reads" (id integer, "Seq" dna2);
            CREATE TABLE "MixedCase" (id integer, seq dna2);
            CREATE TABLE "12345" (id integer, seq dna2);
            """);
        List<string?> values = AnalysisData.Reads(11, 300, 50, 80);
        await AnalysisSql.LoadAsync(connection, "\"MixedCase\"", values, 1);
        await AnalysisSql.LoadAsync(connection, "\"12345\"", values, 1);
        await using (TextWriter writer = await connection.BeginTextImportAsync("COPY \"Other Schema\".\"Mixed Reads\" (id, \"Seq\") FROM STDIN"))
        {
            for (int i = 0; i < values.Count; i++)
            {
                await writer.WriteAsync(FormattableString.Invariant($"{i + 1}\t{values[i]}\n"));
            }
        }

        await AnalysisSql.SetAsync(connection, k: 12, b: 2, rate: 0.5, nrow: 1);
        int expected = (await AnalysisSql.AnalyzeAsync(connection, "MixedCase")).HighfreqKmersCount;
        Assert.True(expected > 0);

        Assert.Equal(expected, (await AnalysisSql.AnalyzeAsync(connection, "\"Other Schema\".\"Mixed Reads\"", "Seq")).HighfreqKmersCount);
        string oid = (await Sql.ScalarAsync<long>(connection, "SELECT '\"12345\"'::regclass::oid::bigint")).ToString(CultureInfo.InvariantCulture);
        Assert.Equal(expected, (await AnalysisSql.AnalyzeAsync(connection, oid, "2")).HighfreqKmersCount);
        Assert.Equal(expected, (await AnalysisSql.UndoAsync(connection, "public.\"MixedCase\"")).Keys);

        // The column given by number is recorded under its name.
        Assert.Equal(1L, await Sql.ScalarAsync<long>(connection,
            "SELECT count(*) FROM kmersearch_highfreq_kmer_meta WHERE table_oid = '\"12345\"'::regclass AND column_name = 'seq'"));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(connection,
            "SELECT count(*) FROM kmersearch_highfreq_kmer_meta WHERE table_oid = '\"Other Schema\".\"Mixed Reads\"'::regclass AND column_name = 'Seq'"));
    }

    [DatabaseFact]
    public async Task A_null_argument_gives_null_and_does_nothing()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        Assert.Equal(1L, await Sql.ScalarAsync<long>(connection,
            "SELECT count(*) FROM (SELECT kmersearch_perform_highfreq_analysis(NULL, 'seq') AS r) s WHERE r IS NULL"));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(connection,
            "SELECT count(*) FROM (SELECT kmersearch_undo_highfreq_analysis('worked', NULL) AS r) s WHERE r IS NULL"));
    }
}
