using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// <c>kmersearch_parallel_create_index</c> against the real server and pool:
/// the index it builds is an ordinary partitioned k-mer index that answers
/// <c>=%</c> like one built by a single <c>CREATE INDEX</c>.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ParallelIndexBuildTests : IClassFixture<BridgeFixture>
{
    private readonly BridgeFixture _fixture;

    public ParallelIndexBuildTests(BridgeFixture fixture) => _fixture = fixture;

    [DatabaseFact]
    public async Task The_index_answers_like_a_single_create_index_and_the_planner_uses_it_on_every_partition()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, ParallelIndexTables.Settings);
        await ParallelIndexTables.CreateAsync(connection, "same_par", rows: 3000);
        await ParallelIndexTables.CreateAsync(connection, "same_one", rows: 3000);
        await Sql.ExecuteAsync(connection, "CREATE INDEX same_one_idx ON same_one USING gin (seq kmersearch_dna2_gin_ops_int4)");
        var notices = new List<string>();
        connection.Notice += (_, e) => notices.Add(e.Notice.MessageText);

        List<object?[]> rows = await ParallelIndexTables.BuildAsync(connection, "same_par");

        Assert.Equal(["same_par_0", "same_par_1", "same_par_2", "same_par_3"], rows.Select(r => (string)r[0]!));
        Assert.Equal(["same_par_0_seq_gin_idx", "same_par_1_seq_gin_idx", "same_par_2_seq_gin_idx", "same_par_3_seq_gin_idx"], rows.Select(r => (string)r[1]!));
        Assert.All(rows, r => Assert.True((bool)r[5]!));
        Assert.All(rows, r => Assert.Null(r[6]));
        Assert.Equal(4, notices.Count(n => n.Contains("built index", StringComparison.Ordinal)));
        Assert.Contains(notices, n => n.Contains("created index \"same_par_seq_gin_idx\"", StringComparison.Ordinal));

        // The parent's index is valid with all four partition indexes attached, the same operator class.
        List<object?[]> parent = await ParallelIndexTables.ParentIndexesAsync(connection, "same_par");
        Assert.Equal(["same_par_seq_gin_idx", true, 4L], Assert.Single(parent));
        Assert.Equal("kmersearch_dna2_gin_ops_int4", await Sql.ScalarAsync<string>(connection,
            "SELECT opcname::text FROM pg_opclass WHERE oid = (SELECT indclass[0] FROM pg_index WHERE indexrelid = 'same_par_seq_gin_idx'::regclass)"));

        // Same rows as the single CREATE INDEX, through the index, for queries that match and ones that do not.
        await Sql.ExecuteAsync(connection, "SET enable_seqscan = off");
        List<object?[]> queries = await Sql.RowsAsync(connection,
            "SELECT substr(seq::text, 3 + id % 20, 24) FROM same_one WHERE id % 300 = 7 UNION ALL SELECT 'ACGTACGTACGTACGTACGTACGT' UNION ALL SELECT 'TTTTTTTTGGGGGGGGAAAAAAAA'");
        Assert.True(queries.Count >= 10);
        foreach (object?[] query in queries)
        {
            string q = ParallelIndexTables.Literal((string)query[0]!);
            string plan = string.Join('\n', (await Sql.RowsAsync(connection, $"EXPLAIN (COSTS OFF) SELECT id FROM same_par WHERE seq =% {q}")).Select(r => (string)r[0]!));
            for (int i = 0; i < 4; i++)
            {
                Assert.Contains($"Bitmap Index Scan on same_par_{i}_seq_gin_idx", plan, StringComparison.Ordinal);
            }

            long[] viaParallel = await IdsAsync(connection, $"SELECT id FROM same_par WHERE seq =% {q} ORDER BY id");
            long[] viaSingle = await IdsAsync(connection, $"SELECT id FROM same_one WHERE seq =% {q} ORDER BY id");
            Assert.Equal(viaSingle, viaParallel);
        }

        Assert.True(await Sql.ScalarAsync<long>(connection,
            $"SELECT count(*) FROM same_par WHERE seq =% {ParallelIndexTables.Literal((string)queries[0][0]!)}") >= 1);
    }

    [DatabaseFact]
    public async Task Rows_processed_are_the_partitions_rows_and_the_builds_run_on_distinct_backends()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, ParallelIndexTables.Settings + "; SET max_parallel_maintenance_workers = 4");
        await ParallelIndexTables.CreateAsync(connection, "pids", rows: 2000);

        List<object?[]> rows = await ParallelIndexTables.BuildAsync(connection, "pids");

        foreach (object?[] row in rows)
        {
            long count = await Sql.ScalarAsync<long>(connection, $"SELECT count(*) FROM {(string)row[0]!}");
            Assert.Equal(count, (long)row[2]!);
            Assert.True((long)row[3]! >= 0);
        }

        Assert.Equal(2000L, rows.Sum(r => (long)r[2]!));
        int[] pids = [.. rows.Select(r => (int)r[4]!)];
        Assert.DoesNotContain(connection.ProcessID, pids);
        Assert.True(pids.Distinct().Count() >= 2, $"the builds ran on {string.Join(", ", pids.Distinct())}");
    }

    [DatabaseFact]
    public async Task The_operator_class_follows_k_and_b_and_the_column_type()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        (string Settings, string Type, string Expected)[] cases =
        [
            ("SET kmersearch.occur_bitlen = 0; SET kmersearch.kmer_size = 8", "dna2", "kmersearch_dna2_gin_ops_int2"),
            ("SET kmersearch.occur_bitlen = 0; SET kmersearch.kmer_size = 8; SET kmersearch.occur_bitlen = 8", "dna4", "kmersearch_dna4_gin_ops_int4"),
            ("SET kmersearch.occur_bitlen = 0; SET kmersearch.kmer_size = 16; SET kmersearch.occur_bitlen = 8", "dna4", "kmersearch_dna4_gin_ops_int8"),
        ];
        for (int c = 0; c < cases.Length; c++)
        {
            await Sql.ExecuteAsync(connection, cases[c].Settings);
            string table = $"width_{c}";
            await ParallelIndexTables.CreateAsync(connection, table, partitions: 2, rows: 200, type: cases[c].Type);

            List<object?[]> rows = await ParallelIndexTables.BuildAsync(connection, table);

            Assert.All(rows, r => Assert.True((bool)r[5]!, (string?)r[6]));
            Assert.Equal(cases[c].Expected, await Sql.ScalarAsync<string>(connection,
                $"SELECT opcname::text FROM pg_opclass WHERE oid = (SELECT indclass[0] FROM pg_index WHERE indexrelid = '{table}_seq_gin_idx'::regclass)"));
        }
    }

    [DatabaseFact]
    public async Task Sub_partitioned_tables_get_an_index_on_every_level()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, ParallelIndexTables.Settings);
        await Sql.ExecuteAsync(connection, "CREATE TABLE multi (id integer, seq dna2) PARTITION BY HASH (seq)");
        await Sql.ExecuteAsync(connection, "CREATE TABLE multi_0 PARTITION OF multi FOR VALUES WITH (MODULUS 2, REMAINDER 0)");
        await Sql.ExecuteAsync(connection, "CREATE TABLE multi_1 PARTITION OF multi FOR VALUES WITH (MODULUS 2, REMAINDER 1) PARTITION BY RANGE (id)");
        await Sql.ExecuteAsync(connection, "CREATE TABLE multi_1a PARTITION OF multi_1 FOR VALUES FROM (MINVALUE) TO (500)");
        await Sql.ExecuteAsync(connection, "CREATE TABLE multi_1b PARTITION OF multi_1 FOR VALUES FROM (500) TO (MAXVALUE)");
        await ParallelIndexTables.FillAsync(connection, "multi", 1000);

        List<object?[]> rows = await ParallelIndexTables.BuildAsync(connection, "multi");

        Assert.Equal(["multi_0", "multi_1a", "multi_1b"], rows.Select(r => (string)r[0]!));
        Assert.All(rows, r => Assert.True((bool)r[5]!));
        Assert.Equal(1000L, rows.Sum(r => (long)r[2]!));
        Assert.Equal(["multi_seq_gin_idx", true, 2L], Assert.Single(await ParallelIndexTables.ParentIndexesAsync(connection, "multi")));
        Assert.Equal(["multi_1_seq_gin_idx", true, 2L], Assert.Single(await ParallelIndexTables.ParentIndexesAsync(connection, "multi_1")));
    }

    [DatabaseFact]
    public async Task Quoted_schema_qualified_names_work_and_long_names_are_cut_at_a_character_boundary()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, ParallelIndexTables.Settings);
        await Sql.ExecuteAsync(connection, "CREATE SCHEMA \"Genomes\"");
        await Sql.ExecuteAsync(connection, "CREATE TABLE \"Genomes\".\"Reads\" (id integer, \"ゲノム\" dna2) PARTITION BY HASH (\"ゲノム\")");

        // A 60-byte partition name: "<name>_" is 61 bytes and the column's first character (3 bytes) would end at byte 64.
        string partition = "Reads_" + new string('x', 52) + "_0";
        await Sql.ExecuteAsync(connection, $"CREATE TABLE \"Genomes\".\"{partition}\" PARTITION OF \"Genomes\".\"Reads\" FOR VALUES WITH (MODULUS 2, REMAINDER 0)");
        await Sql.ExecuteAsync(connection, "CREATE TABLE \"Genomes\".\"Reads_1\" PARTITION OF \"Genomes\".\"Reads\" FOR VALUES WITH (MODULUS 2, REMAINDER 1)");
        await Sql.ExecuteAsync(connection, "INSERT INTO \"Genomes\".\"Reads\" VALUES (1, 'ACGTACGTACGTACGTAAAC'), (2, 'TTTTACGTGGGGACGTCCCC'), (3, 'GGGGACGTACGTTTTTAAAC')");

        List<object?[]> rows = await ParallelIndexTables.BuildAsync(connection, "\"Genomes\".\"Reads\"", "ゲノム");

        Assert.All(rows, r => Assert.True((bool)r[5]!, (string?)r[6]));
        string cut = (string)rows.Single(r => (string)r[0]! == partition)[1]!;
        Assert.Equal(partition + "_", cut);
        Assert.Equal("Reads_1_ゲノム_gin_idx", (string)rows.Single(r => (string)r[0]! == "Reads_1")[1]!);
        Assert.Equal(3L, rows.Sum(r => (long)r[2]!));
        Assert.Equal(cut, await Sql.ScalarAsync<string>(connection,
            $"SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '\"Genomes\".\"{partition}\"'::regclass"));
        Assert.Equal(["Reads_ゲノム_gin_idx", true, 2L], Assert.Single(await ParallelIndexTables.ParentIndexesAsync(connection, "\"Genomes\".\"Reads\"")));
    }

    [DatabaseFact]
    public async Task A_tablespace_places_every_index_and_a_second_call_finds_the_name_taken()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, ParallelIndexTables.Settings);
        await ParallelIndexTables.CreateAsync(connection, "spaced", partitions: 2, rows: 200);

        // The database's default tablespace named explicitly: accepted (a partitioned index may not name it, so it is left out).
        List<object?[]> rows = await ParallelIndexTables.BuildAsync(connection, "spaced", tablespace: "pg_default");

        Assert.All(rows, r => Assert.True((bool)r[5]!, (string?)r[6]));
        Assert.Equal(["spaced_seq_gin_idx", true, 2L], Assert.Single(await ParallelIndexTables.ParentIndexesAsync(connection, "spaced")));

        PostgresException again = await Sql.FailsAsync(connection, "SELECT * FROM kmersearch_parallel_create_index('spaced', 'seq')");
        Assert.Equal("42P07", again.SqlState);
        Assert.Contains("spaced_seq_gin_idx", again.MessageText, StringComparison.Ordinal);
    }

    private static async Task<long[]> IdsAsync(NpgsqlConnection connection, string sql) =>
        [.. (await Sql.RowsAsync(connection, sql)).Select(r => Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture))];
}
