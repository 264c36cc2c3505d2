using System.Text.RegularExpressions;
using Npgsql;
using static Kmer.Bridge.Tests.PartitionTestSupport;

namespace Kmer.Bridge.Tests;

/// <summary>
/// kmersearch_partition_table and kmersearch_unpartition_table against the
/// real server and pool: every row and every part of the table's definition
/// survives the round trip (docs/partitioning.md).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class PartitionRoundTripTests : IClassFixture<BridgeFixture>
{
    private const string Table = "\"Part Schema\".\"Reads\"";

    private readonly BridgeFixture _fixture;

    public PartitionRoundTripTests(BridgeFixture fixture) => _fixture = fixture;

    /// <summary>A table with most of what a table can have, in a mixed-case schema.</summary>
    private static async Task CreateRichTableAsync(NpgsqlConnection connection, int rows)
    {
        await Sql.ExecuteAsync(connection, $"""
            DROP SCHEMA IF EXISTS "Part Schema" CASCADE;
            CREATE SCHEMA "Part Schema";
            DO $$ BEGIN CREATE ROLE part_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DROP TABLE IF EXISTS part_lookup;
            CREATE TABLE part_lookup (kind int PRIMARY KEY);
            INSERT INTO part_lookup SELECT generate_series(0, 9);
            CREATE TABLE {Table} (
                id serial,
                "Seq" dna2 NOT NULL,
                label text COMPRESSION pglz NOT NULL DEFAULT 'none',
                weight int CHECK (weight >= 0),
                kind int REFERENCES part_lookup (kind),
                big text,
                doubled int GENERATED ALWAYS AS (weight * 2) STORED,
                CONSTRAINT "Reads_pkey" PRIMARY KEY (id, "Seq") WITH (fillfactor = 80),
                CONSTRAINT reads_label_key UNIQUE (label, "Seq")
            );
            ALTER TABLE {Table} ALTER COLUMN big SET STORAGE EXTERNAL, ALTER COLUMN weight SET STATISTICS 300;
            ALTER TABLE {Table} ADD CONSTRAINT weight_small CHECK (weight < 1000000) NOT VALID;
            CREATE INDEX reads_lower_label ON {Table} (lower(label)) WHERE weight > 0;
            CREATE INDEX reads_kind_weight ON {Table} USING hash (kind);
            CREATE STATISTICS "Part Schema".reads_stats (ndistinct, dependencies) ON weight, kind FROM {Table};
            ALTER TABLE {Table} REPLICA IDENTITY USING INDEX "Reads_pkey";
            COMMENT ON TABLE {Table} IS 'reads, with a quote '' and a backslash \';
            COMMENT ON COLUMN {Table}."Seq" IS 'the sequence';
            COMMENT ON CONSTRAINT reads_label_key ON {Table} IS 'one label per sequence';
            COMMENT ON CONSTRAINT weight_small ON {Table} IS 'not validated';
            COMMENT ON INDEX "Part Schema".reads_lower_label IS 'partial';
            COMMENT ON STATISTICS "Part Schema".reads_stats IS 'stats';
            GRANT SELECT, INSERT ON {Table} TO part_reader;
            GRANT UPDATE (label) ON {Table} TO part_reader WITH GRANT OPTION;
            INSERT INTO {Table} ("Seq", label, weight, kind, big)
                SELECT {DnaOf}::dna2, 'l' || i, i, i % 10, CASE WHEN i % 7 = 0 THEN repeat('x', 3000) END
                  FROM generate_series(1, {rows}) i;
            """);
    }

    [DatabaseFact]
    public async Task Partition_then_unpartition_keeps_every_row_and_the_whole_definition()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await CreateRichTableAsync(connection, 3000);
        TableState before = await StateAsync(connection, Table);
        Assert.Equal("r", before.Kind);

        await Sql.ExecuteAsync(connection, $"SELECT kmersearch_partition_table('{Table.Replace("'", "''", StringComparison.Ordinal)}', 4)");

        TableState partitioned = await StateAsync(connection, Table);
        Assert.Equal("p", partitioned.Kind);
        Assert.NotEqual(before.Oid, partitioned.Oid);
        Assert.Equal(before.Checksum, partitioned.Checksum);
        Assert.Equal(before.Signature, partitioned.Signature);
        List<object?[]> partitions = await Sql.RowsAsync(connection, $"""
            SELECT c.relname::text, pg_get_expr(c.relpartbound, c.oid), c.relkind::text
              FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = '{Table}'::regclass ORDER BY 1
            """);
        Assert.Equal(
            new[]
            {
                new object?[] { "Reads_0", "FOR VALUES WITH (modulus 4, remainder 0)", "r" },
                new object?[] { "Reads_1", "FOR VALUES WITH (modulus 4, remainder 1)", "r" },
                new object?[] { "Reads_2", "FOR VALUES WITH (modulus 4, remainder 2)", "r" },
                new object?[] { "Reads_3", "FOR VALUES WITH (modulus 4, remainder 3)", "r" },
            },
            partitions);

        // Every partition holds rows, and each row sits where hash partitioning puts it.
        List<object?[]> counts = await Sql.RowsAsync(connection,
            $"SELECT tableoid::regclass::text, count(*) FROM {Table} GROUP BY 1 ORDER BY 1");
        Assert.Equal(4, counts.Count);
        Assert.All(counts, c => Assert.True((long)c[1]! > 500, $"{c[0]} has {c[1]} rows"));
        Assert.Equal(3000L, counts.Sum(c => (long)c[1]!));

        // Storage and compression on the partitions too.
        List<object?[]> storage = await Sql.RowsAsync(connection, $"""
            SELECT DISTINCT a.attname::text, a.attstorage::text, a.attcompression::text
              FROM pg_attribute a WHERE a.attrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = '{Table}'::regclass)
               AND a.attname IN ('big', 'label') ORDER BY 1
            """);
        Assert.Equal(new[] { new object?[] { "big", "e", "" }, new object?[] { "label", "x", "p" } }, storage);

        await Sql.ExecuteAsync(connection, $"SELECT kmersearch_unpartition_table('{Table.Replace("'", "''", StringComparison.Ordinal)}')");

        TableState after = await StateAsync(connection, Table);
        Assert.Equal("r", after.Kind);
        Assert.Equal(before.Checksum, after.Checksum);
        Assert.Equal(before.Signature, after.Signature);
        Assert.Equal(before.Relations, after.Relations);
        Assert.Equal(before.Types, after.Types);
        Assert.Equal(before.Constraints, after.Constraints);

        // Nothing temporary is left behind.
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection,
            "SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_part\\_%' OR relname LIKE '%\\_unpart\\_%' OR relname ~ '^Reads_[0-9]+'"));
    }

    [DatabaseFact]
    public async Task Serial_defaults_and_constraints_keep_working()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await CreateRichTableAsync(connection, 200);
        string sequence = await Sql.ScalarAsync<string>(connection, $"SELECT pg_get_serial_sequence('{Table}', 'id')");

        await Sql.ExecuteAsync(connection, $"SELECT kmersearch_partition_table('\"Part Schema\".\"Reads\"', 3)");
        await AssertTableWorksAsync(connection, sequence, expectedId: 201, "ACGTACGT");

        await Sql.ExecuteAsync(connection, $"SELECT kmersearch_unpartition_table('\"Part Schema\".\"Reads\"')");
        await AssertTableWorksAsync(connection, sequence, expectedId: 206, "ACGTACGTA");
    }

    private static async Task AssertTableWorksAsync(NpgsqlConnection connection, string sequence, int expectedId, string dna)
    {
        // The serial sequence is the same one, owned by the new table, and goes on.
        Assert.Equal(sequence, await Sql.ScalarAsync<string>(connection, $"SELECT pg_get_serial_sequence('{Table}', 'id')"));
        List<object?[]> inserted = await Sql.RowsAsync(connection,
            $"INSERT INTO {Table} (\"Seq\", weight) VALUES ('{dna}', 5) RETURNING id, label, doubled");
        Assert.Equal(new object?[] { expectedId, "none", 10 }, Assert.Single(inserted));

        Assert.Equal("23502", (await Sql.FailsAsync(connection, $"INSERT INTO {Table} (\"Seq\", label) VALUES (NULL, 'x')")).SqlState);
        Assert.Equal("23514", (await Sql.FailsAsync(connection, $"INSERT INTO {Table} (\"Seq\", weight) VALUES ('ACGT', -1)")).SqlState);
        PostgresException unique = await Sql.FailsAsync(connection, $"INSERT INTO {Table} (\"Seq\", label) VALUES ('{dna}', 'none')");
        Assert.Equal("23505", unique.SqlState);
        Assert.Contains("label", unique.ConstraintName, StringComparison.Ordinal); // on a partition: the partition's index
        Assert.Equal("23503", (await Sql.FailsAsync(connection, $"INSERT INTO {Table} (\"Seq\", kind) VALUES ('ACGT', 99)")).SqlState);

        // Each failed insert took a value of the sequence too.
        Assert.Equal(expectedId + 4, await Sql.ScalarAsync<int>(connection, $"SELECT last_value::int FROM {sequence}"));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(connection, $"""
            SELECT count(*) FROM pg_depend
             WHERE classid = 'pg_class'::regclass AND objid = '{sequence}'::regclass
               AND refobjid = '{Table}'::regclass AND deptype = 'a'
            """));
    }

    [DatabaseFact]
    public async Task Identity_columns_keep_their_options_and_position()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, $"""
            DROP TABLE IF EXISTS part_identity;
            CREATE TABLE part_identity (
                id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 10 CACHE 5),
                seq dna4 NOT NULL
            );
            INSERT INTO part_identity (seq) SELECT {DnaOf}::dna4 FROM generate_series(1, 50) i;
            """);
        string sequenceBefore = await Sql.ScalarAsync<string>(connection, "SELECT pg_get_serial_sequence('part_identity', 'id')");
        string checksum = await ChecksumAsync(connection, "part_identity");

        await Sql.ExecuteAsync(connection, "SELECT kmersearch_partition_table('part_identity', 2)");
        Assert.Equal(checksum, await ChecksumAsync(connection, "part_identity"));
        Assert.Equal(sequenceBefore, await Sql.ScalarAsync<string>(connection, "SELECT pg_get_serial_sequence('part_identity', 'id')"));
        Assert.Equal(600L, await Sql.ScalarAsync<long>(connection, "INSERT INTO part_identity (seq) VALUES ('ACGT') RETURNING id"));
        Assert.Equal("428C9", (await Sql.FailsAsync(connection, "INSERT INTO part_identity (id, seq) VALUES (1, 'ACGT')")).SqlState);
        Assert.Equal("a", await Sql.ScalarAsync<string>(connection,
            "SELECT attidentity::text FROM pg_attribute WHERE attrelid = 'part_identity'::regclass AND attname = 'id'"));
        Assert.Equal(5L, await Sql.ScalarAsync<long>(connection, $"SELECT seqcache FROM pg_sequence WHERE seqrelid = '{sequenceBefore}'::regclass"));

        await Sql.ExecuteAsync(connection, "SELECT kmersearch_unpartition_table('part_identity')");
        // CACHE 5: this session took 600…640, so the sequence (and its copy) stands at 640.
        Assert.Equal(650L, await Sql.ScalarAsync<long>(connection, "INSERT INTO part_identity (seq) VALUES ('ACGT') RETURNING id"));
        Assert.Equal(sequenceBefore, await Sql.ScalarAsync<string>(connection, "SELECT pg_get_serial_sequence('part_identity', 'id')"));
    }

    [DatabaseFact]
    public async Task Owner_and_grants_stay_when_the_owner_itself_partitions()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, $"""
            DO $$ BEGIN CREATE ROLE part_owner; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DO $$ BEGIN CREATE ROLE part_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DROP SCHEMA IF EXISTS part_owned CASCADE;
            CREATE SCHEMA part_owned AUTHORIZATION part_owner;
            -- The call moves analysis rows as the caller: a non-superuser owner needs these privileges.
            GRANT SELECT, UPDATE, DELETE ON kmersearch_index_info, kmersearch_gin_index_meta,
                kmersearch_highfreq_kmer, kmersearch_highfreq_kmer_meta TO part_owner;
            SET ROLE part_owner;
            CREATE TABLE part_owned.reads (id int, seq dna2 NOT NULL, note text);
            INSERT INTO part_owned.reads SELECT i, {DnaOf}::dna2, 'n' || i FROM generate_series(1, 100) i;
            REVOKE ALL ON part_owned.reads FROM PUBLIC;
            GRANT SELECT ON part_owned.reads TO part_reader;
            GRANT UPDATE (note) ON part_owned.reads TO part_reader;
            """);
        string signature = await SignatureAsync(connection, "part_owned.reads");

        // The owner, not a superuser, runs it: SPI runs as the caller.
        await Sql.ExecuteAsync(connection, "SELECT kmersearch_partition_table('part_owned.reads', 2)");
        Assert.Equal(signature, await SignatureAsync(connection, "part_owned.reads"));
        await Sql.ExecuteAsync(connection, "RESET ROLE");
        List<object?[]> rights = await Sql.RowsAsync(connection, """
            SELECT has_table_privilege('part_reader', 'part_owned.reads', 'SELECT'),
                   has_table_privilege('part_reader', 'part_owned.reads', 'INSERT'),
                   has_column_privilege('part_reader', 'part_owned.reads', 'note', 'UPDATE'),
                   has_column_privilege('part_reader', 'part_owned.reads', 'seq', 'UPDATE'),
                   (SELECT relowner::regrole::text FROM pg_class WHERE oid = 'part_owned.reads'::regclass),
                   (SELECT string_agg(DISTINCT relowner::regrole::text, ',') FROM pg_class
                     WHERE oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'part_owned.reads'::regclass))
            """);
        Assert.Equal(new object?[] { true, false, true, false, "part_owner", "part_owner" }, Assert.Single(rights));

        // A superuser unpartitions the owner's table: the owner stays the owner.
        await Sql.ExecuteAsync(connection, "SELECT kmersearch_unpartition_table('part_owned.reads')");
        Assert.Equal(signature, await SignatureAsync(connection, "part_owned.reads"));
        Assert.True(await Sql.ScalarAsync<bool>(connection, "SELECT has_table_privilege('part_reader', 'part_owned.reads', 'SELECT')"));
    }

    [DatabaseFact]
    public async Task Analysis_rows_and_kmer_indexes_follow_the_new_table()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        List<(TimeSpan At, string Severity, string Message)> notices = CollectNotices(connection);
        await Sql.ExecuteAsync(connection, $"""
            DROP TABLE IF EXISTS part_kmers;
            CREATE TABLE part_kmers (id int PRIMARY KEY, seq dna2);
            INSERT INTO part_kmers SELECT i, {DnaOf}::dna2 FROM generate_series(1, 400) i;
            SET kmersearch.kmer_size = 8;
            SET kmersearch.occur_bitlen = 8;
            CREATE INDEX part_kmers_gin ON part_kmers USING gin (seq kmersearch_dna2_gin_ops_int4);
            INSERT INTO kmersearch_highfreq_kmer_meta (table_oid, column_name, kmer_size, occur_bitlen, max_appearance_rate, max_appearance_nrow)
                VALUES ('part_kmers'::regclass, 'seq', 8, 8, 0.5, 0);
            INSERT INTO kmersearch_highfreq_kmer (table_oid, column_name, kmer_size, occur_bitlen, uintkey, appearance_nrow)
                SELECT 'part_kmers'::regclass, 'seq', 8, 8, k, 300 FROM generate_series(1, 3) k;
            """);
        const string Query = "SELECT count(*) FROM part_kmers WHERE seq =% 'ACGTACGTACGTACGTAC'";
        long matches = await Sql.ScalarAsync<long>(connection, Query);

        // Back to the defaults (k = 16): the index must still be rebuilt with k = 8, b = 8.
        await Sql.ExecuteAsync(connection, "RESET kmersearch.kmer_size; RESET kmersearch.occur_bitlen; ALTER TABLE part_kmers DROP CONSTRAINT part_kmers_pkey");
        await Sql.ExecuteAsync(connection, "SELECT kmersearch_partition_table('part_kmers', 3)");
        Assert.Equal("16", await Sql.ScalarAsync<string>(connection, "SHOW kmersearch.kmer_size"));
        Assert.Contains(notices, n => n.Severity == "NOTICE" && n.Message.Contains("analysis of part_kmers preserved", StringComparison.Ordinal));

        List<object?[]> analysis = await Sql.RowsAsync(connection, """
            SELECT (SELECT count(*) FROM kmersearch_highfreq_kmer_meta WHERE table_oid = 'part_kmers'::regclass),
                   (SELECT count(*) FROM kmersearch_highfreq_kmer WHERE table_oid = 'part_kmers'::regclass),
                   (SELECT count(*) FROM kmersearch_highfreq_kmer_meta m WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = m.table_oid))
            """);
        Assert.Equal(new object?[] { 1L, 3L, 0L }, Assert.Single(analysis));
        List<object?[]> info = await Sql.RowsAsync(connection, """
            SELECT index_oid::regclass::text, kmer_size, occur_bitlen, total_nrow, preclude_highfreq_kmer
              FROM kmersearch_index_info WHERE table_oid = 'part_kmers'::regclass
            """);
        Assert.Equal(new object?[] { "part_kmers_gin", 8, 8, 400L, false }, Assert.Single(info));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection,
            "SELECT count(*) FROM kmersearch_index_info i WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = i.index_oid)"));

        await Sql.ExecuteAsync(connection, "SET kmersearch.kmer_size = 8; SET kmersearch.occur_bitlen = 8");
        Assert.Equal(matches, await Sql.ScalarAsync<long>(connection, Query));

        await Sql.ExecuteAsync(connection, "SELECT kmersearch_unpartition_table('part_kmers')");
        Assert.Equal(1L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM kmersearch_highfreq_kmer_meta WHERE table_oid = 'part_kmers'::regclass"));
        Assert.Equal(matches, await Sql.ScalarAsync<long>(connection, Query));
        Assert.Equal(8, await Sql.ScalarAsync<int>(connection, "SELECT kmer_size FROM kmersearch_index_info WHERE table_oid = 'part_kmers'::regclass"));
    }

    [DatabaseFact]
    public async Task A_parallel_built_kmer_index_is_rebuilt_with_the_settings_of_its_partitions()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, $"""
            DROP TABLE IF EXISTS part_parallel;
            CREATE TABLE part_parallel (id int, seq dna2) PARTITION BY HASH (seq);
            CREATE TABLE part_parallel_0 PARTITION OF part_parallel FOR VALUES WITH (MODULUS 2, REMAINDER 0);
            CREATE TABLE part_parallel_1 PARTITION OF part_parallel FOR VALUES WITH (MODULUS 2, REMAINDER 1);
            INSERT INTO part_parallel SELECT i, {DnaOf}::dna2 FROM generate_series(1, 300) i;
            SET kmersearch.kmer_size = 8;
            SET kmersearch.occur_bitlen = 8;
            """);
        Assert.Equal(2L, await Sql.ScalarAsync<long>(connection,
            "SELECT count(*) FILTER (WHERE success) FROM kmersearch_parallel_create_index('part_parallel', 'seq')"));
        const string Query = "SELECT count(*) FROM part_parallel WHERE seq =% 'ACGTACGTACGTACGTAC'";
        long matches = await Sql.ScalarAsync<long>(connection, Query);

        // Only the partitions' indexes have their settings recorded: the rebuilt index takes theirs.
        await Sql.ExecuteAsync(connection, """
            DELETE FROM kmersearch_index_info WHERE index_oid = 'part_parallel_seq_gin_idx'::regclass;
            RESET kmersearch.kmer_size;
            RESET kmersearch.occur_bitlen;
            """);
        await Sql.ExecuteAsync(connection, "SELECT kmersearch_unpartition_table('part_parallel')");

        List<object?[]> info = await Sql.RowsAsync(connection,
            "SELECT index_oid::regclass::text, kmer_size, occur_bitlen FROM kmersearch_index_info WHERE table_oid = 'part_parallel'::regclass");
        Assert.Equal(new object?[] { "part_parallel_seq_gin_idx", 8, 8 }, Assert.Single(info));
        await Sql.ExecuteAsync(connection, "SET kmersearch.kmer_size = 8; SET kmersearch.occur_bitlen = 8");
        Assert.Equal(matches, await Sql.ScalarAsync<long>(connection, Query));
    }

    [DatabaseFact]
    public async Task Exact_names_and_the_search_path_resolve_like_the_original()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, """
            DROP SCHEMA IF EXISTS part_path CASCADE;
            CREATE SCHEMA part_path;
            CREATE TABLE part_path."MixedCase" (seq dna4, n int);
            INSERT INTO part_path."MixedCase" VALUES ('ACGTN', 1), ('GGCC', 2);
            SET search_path = part_path, public;
            """);

        // An exact, case-sensitive name on the search path, unquoted.
        await Sql.ExecuteAsync(connection, "SELECT kmersearch_partition_table('MixedCase', 2)");
        Assert.Equal("p", await Sql.ScalarAsync<string>(connection, "SELECT relkind::text FROM pg_class WHERE oid = 'part_path.\"MixedCase\"'::regclass"));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM part_path.\"MixedCase_0\" FULL JOIN part_path.\"MixedCase_1\" USING (seq)"));

        // A qualified, quoted name, as to_regclass reads it.
        await Sql.ExecuteAsync(connection, "SET search_path = public");
        await Sql.ExecuteAsync(connection, "SELECT kmersearch_unpartition_table('part_path.\"MixedCase\"')");
        Assert.Equal("r", await Sql.ScalarAsync<string>(connection, "SELECT relkind::text FROM pg_class WHERE oid = 'part_path.\"MixedCase\"'::regclass"));
    }

    [DatabaseFact]
    public async Task Tablespace_name_places_partitions_and_indexes()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        string name = "part_ts_" + Guid.NewGuid().ToString("N")[..8];
        string directory = $"/tmp/{name}";

        // The directory must belong to the server's OS user: let the server create it.
        await Sql.ExecuteAsync(connection, $"COPY (SELECT 1) TO PROGRAM 'mkdir -p {directory} && cat >/dev/null'");
        await Sql.ExecuteAsync(connection, $"CREATE TABLESPACE {name} LOCATION '{directory}'");
        try
        {
            await Sql.ExecuteAsync(connection, $"""
                DROP TABLE IF EXISTS part_placed;
                CREATE TABLE part_placed (id int, seq dna2, PRIMARY KEY (id, seq));
                CREATE INDEX part_placed_id ON part_placed (id);
                INSERT INTO part_placed SELECT i, {DnaOf}::dna2 FROM generate_series(1, 100) i;
                """);
            await Sql.ExecuteAsync(connection, $"SELECT kmersearch_partition_table('part_placed', 2, '{name}')");
            List<object?[]> placed = await Sql.RowsAsync(connection, $"""
                SELECT c.relname::text, coalesce(t.spcname::text, '-')
                  FROM pg_class c LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace
                 WHERE c.relname LIKE 'part\_placed%' ORDER BY 1
                """);
            string[] expected =
            [
                "part_placed", "part_placed_0", "part_placed_0_id_idx", "part_placed_0_pkey",
                "part_placed_1", "part_placed_1_id_idx", "part_placed_1_pkey", "part_placed_id", "part_placed_pkey",
            ];
            Assert.Equal(expected.Select(e => new object?[] { e, name }), placed);

            // pg_default explicitly: back to the database's tablespace (the plain table, and its indexes).
            await Sql.ExecuteAsync(connection, "SELECT kmersearch_unpartition_table('part_placed', 'pg_default')");
            Assert.Equal(0L, await Sql.ScalarAsync<long>(connection,
                "SELECT count(*) FROM pg_class WHERE relname LIKE 'part\\_placed%' AND reltablespace <> 0"));
            Assert.Equal(100L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM part_placed"));
        }
        finally
        {
            await Sql.ExecuteAsync(connection, "DROP TABLE IF EXISTS part_placed");
            await Sql.ExecuteAsync(connection, $"DROP TABLESPACE IF EXISTS {name}");
            await Sql.ExecuteAsync(connection, $"COPY (SELECT 1) TO PROGRAM 'rm -rf {directory} && cat >/dev/null'");
        }
    }

    [DatabaseFact]
    public async Task Progress_is_reported_as_notices_at_most_every_few_seconds_and_in_the_job_status()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection observer = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(caller, $"""
            {SlowCheckFunction}
            DROP TABLE IF EXISTS part_slow;
            CREATE TABLE part_slow (id bigint CHECK (part_slow_ok(id)), seq dna2);
            INSERT INTO part_slow SELECT i, {DnaOf}::dna2 FROM generate_series(1, 50000) i;
            SET maintenance_work_mem = '1MB';
            SET part.slow = on;
            """);
        List<(TimeSpan At, string Severity, string Message)> notices = CollectNotices(caller);

        Task call = Sql.ExecuteAsync(caller, "SELECT kmersearch_partition_table('part_slow', 4)");
        double progress = await WaitForProgressAsync(observer, caller.ProcessID, "kmersearch_partition_table", TimeSpan.FromSeconds(30));
        await call;

        Assert.InRange(progress, 0.0, 1.0);
        List<(TimeSpan At, string Severity, string Message)> progressNotices =
            [.. notices.Where(n => n.Severity == "NOTICE" && n.Message.StartsWith("partitioning part_slow: moved ", StringComparison.Ordinal))];
        Assert.True(progressNotices.Count > 0, string.Join("\n", notices.Select(n => n.Message)));
        Assert.Matches(@"^partitioning part_slow: moved \d+ of 50000 rows \(\d+ %\)$", progressNotices[0].Message);
        for (int i = 1; i < progressNotices.Count; i++)
        {
            Assert.True(progressNotices[i].At - progressNotices[i - 1].At > TimeSpan.FromSeconds(2.5), "progress notices came too often");
        }

        Assert.Contains(notices, n => n.Severity == "INFO"
            && Regex.IsMatch(n.Message, @"^migrating 50000 rows of part_slow in batches of about \d+ rows$", RegexOptions.None, TimeSpan.FromSeconds(1)));
        Assert.Contains(notices, n => n.Severity == "INFO" && n.Message == "migration completed 100 %: 50000 of 50000 rows");
        Assert.Equal(50000L, await Sql.ScalarAsync<long>(caller, "SELECT count(*) FROM part_slow"));
    }
}
