using Npgsql;
using static Kmer.Bridge.Tests.PartitionTestSupport;

namespace Kmer.Bridge.Tests;

/// <summary>
/// What the partition functions refuse: each refusal is an ERROR with its
/// SQLSTATE, raised before anything changes — the table keeps its OID, rows
/// and definition and the database has not one object more.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class PartitionRefusalTests : IClassFixture<BridgeFixture>
{
    private readonly BridgeFixture _fixture;

    public PartitionRefusalTests(BridgeFixture fixture) => _fixture = fixture;

    /// <summary>Creates the table with <paramref name="setup"/>, runs <paramref name="call"/>, checks the error and that nothing changed.</summary>
    private async Task<PostgresException> RefusedAsync(string table, string setup, string call, string sqlState)
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, setup);
        TableState before = await StateAsync(connection, table);

        PostgresException error = await Sql.FailsAsync(connection, call);

        Assert.Equal(sqlState, error.SqlState);
        Assert.Equal(before, await StateAsync(connection, table));
        return error;
    }

    private static string Plain(string table, string columns = "id int, seq dna2, note text") => $"""
        DROP TABLE IF EXISTS {table} CASCADE;
        CREATE TABLE {table} ({columns});
        INSERT INTO {table} (id) SELECT generate_series(1, 20);
        {(columns.Contains("seq dna2", StringComparison.Ordinal) ? $"UPDATE {table} SET seq = ('ACGT' || repeat('G', id))::dna2;" : "")}
        """;

    [DatabaseFact]
    public async Task Partition_count_below_one_is_22023()
    {
        PostgresException zero = await RefusedAsync("ref_count", Plain("ref_count"), "SELECT kmersearch_partition_table('ref_count', 0)", "22023");
        Assert.Contains("partition_count", zero.MessageText, StringComparison.Ordinal);
        await RefusedAsync("ref_count", Plain("ref_count"), "SELECT kmersearch_partition_table('ref_count', NULL)", "22023");
        await RefusedAsync("ref_count", Plain("ref_count"), "SELECT kmersearch_partition_table('ref_count', -3)", "22023");
        PostgresException many = await RefusedAsync("ref_count", Plain("ref_count"), "SELECT kmersearch_partition_table('ref_count', 100001)", "22023");
        Assert.Contains("at most 100000", many.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task Null_and_unknown_tables_are_errors()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        Assert.Equal("22004", (await Sql.FailsAsync(connection, "SELECT kmersearch_partition_table(NULL, 2)")).SqlState);
        Assert.Equal("22004", (await Sql.FailsAsync(connection, "SELECT kmersearch_unpartition_table(NULL)")).SqlState);
        PostgresException missing = await Sql.FailsAsync(connection, "SELECT kmersearch_partition_table('no_such_table', 2)");
        Assert.Equal("42P01", missing.SqlState);
        Assert.Contains("no_such_table", missing.MessageText, StringComparison.Ordinal);
        Assert.Equal("42P01", (await Sql.FailsAsync(connection, "SELECT kmersearch_unpartition_table('no_such_table')")).SqlState);
    }

    [DatabaseFact]
    public async Task An_already_partitioned_table_is_42809()
    {
        PostgresException error = await RefusedAsync("ref_parted", """
            DROP TABLE IF EXISTS ref_parted;
            CREATE TABLE ref_parted (seq dna2) PARTITION BY HASH (seq);
            CREATE TABLE ref_parted_a PARTITION OF ref_parted FOR VALUES WITH (MODULUS 1, REMAINDER 0);
            INSERT INTO ref_parted VALUES ('ACGT');
            """, "SELECT kmersearch_partition_table('ref_parted', 2)", "42809");
        Assert.Contains("already partitioned", error.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task No_dna_column_is_42809_and_two_are_0A000()
    {
        PostgresException none = await RefusedAsync("ref_nodna", Plain("ref_nodna", "id int, note text"),
            "SELECT kmersearch_partition_table('ref_nodna', 2)", "42809");
        Assert.Contains("no DNA2 or DNA4 column", none.MessageText, StringComparison.Ordinal);

        PostgresException two = await RefusedAsync("ref_twodna", Plain("ref_twodna", "id int, seq dna2, other dna4"),
            "SELECT kmersearch_partition_table('ref_twodna', 2)", "0A000");
        Assert.Contains("2 DNA2/DNA4 columns (seq, other)", two.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task An_unknown_tablespace_is_42704()
    {
        PostgresException error = await RefusedAsync("ref_ts", Plain("ref_ts"), "SELECT kmersearch_partition_table('ref_ts', 2, 'no_such_space')", "42704");
        Assert.Contains("no_such_space", error.MessageText, StringComparison.Ordinal);
        await RefusedAsync("ref_ts_p", """
            DROP TABLE IF EXISTS ref_ts_p;
            CREATE TABLE ref_ts_p (seq dna2) PARTITION BY HASH (seq);
            CREATE TABLE ref_ts_p_0 PARTITION OF ref_ts_p FOR VALUES WITH (MODULUS 1, REMAINDER 0);
            """, "SELECT kmersearch_unpartition_table('ref_ts_p', 'no_such_space')", "42704");
    }

    [DatabaseFact]
    public async Task A_dependent_view_is_named_and_nothing_is_dropped()
    {
        PostgresException error = await RefusedAsync("ref_viewed", Plain("ref_viewed") + """
            CREATE VIEW ref_viewed_summary AS SELECT count(*) AS n FROM ref_viewed;
            """, "SELECT kmersearch_partition_table('ref_viewed', 2)", "2BP01");
        Assert.Contains("view ref_viewed_summary", error.MessageText, StringComparison.Ordinal);

        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        Assert.Equal(20L, await Sql.ScalarAsync<long>(connection, "SELECT n FROM ref_viewed_summary"));
    }

    [DatabaseFact]
    public async Task Foreign_keys_from_other_tables_triggers_and_rules_are_named()
    {
        PostgresException foreignKey = await RefusedAsync("ref_target", Plain("ref_target", "id int, seq dna2, UNIQUE (id, seq)") + """
            CREATE TABLE ref_referrer (target int, target_seq dna2, CONSTRAINT ref_referrer_target_fkey FOREIGN KEY (target, target_seq) REFERENCES ref_target (id, seq));
            """, "SELECT kmersearch_partition_table('ref_target', 2)", "2BP01");
        Assert.Contains("foreign key ref_referrer_target_fkey on ref_referrer", foreignKey.MessageText, StringComparison.Ordinal);

        PostgresException trigger = await RefusedAsync("ref_trig", Plain("ref_trig") + """
            CREATE FUNCTION ref_trig_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
            CREATE TRIGGER ref_trig_before BEFORE INSERT ON ref_trig FOR EACH ROW EXECUTE FUNCTION ref_trig_fn();
            """, "SELECT kmersearch_partition_table('ref_trig', 2)", "2BP01");
        Assert.Contains("trigger ref_trig_before on table ref_trig", trigger.MessageText, StringComparison.Ordinal);

        PostgresException rule = await RefusedAsync("ref_ruled", Plain("ref_ruled") + """
            CREATE RULE ref_ruled_nothing AS ON DELETE TO ref_ruled DO INSTEAD NOTHING;
            """, "SELECT kmersearch_partition_table('ref_ruled', 2)", "2BP01");
        Assert.Contains("rule ref_ruled_nothing on ref_ruled", rule.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task A_primary_key_without_the_dna_column_is_named()
    {
        PostgresException error = await RefusedAsync("ref_pk", Plain("ref_pk", "id int CONSTRAINT ref_pk_by_id PRIMARY KEY, seq dna2"),
            "SELECT kmersearch_partition_table('ref_pk', 2)", "0A000");
        Assert.Contains("primary key \"ref_pk_by_id\"", error.MessageText, StringComparison.Ordinal);
        Assert.Contains("DNA column \"seq\"", error.MessageText, StringComparison.Ordinal);

        PostgresException index = await RefusedAsync("ref_uidx", Plain("ref_uidx") + "CREATE UNIQUE INDEX ref_uidx_id ON ref_uidx (id);",
            "SELECT kmersearch_partition_table('ref_uidx', 2)", "0A000");
        Assert.Contains("unique index \"ref_uidx_id\"", index.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task A_taken_partition_name_is_42P07()
    {
        PostgresException error = await RefusedAsync("ref_taken", Plain("ref_taken") + "CREATE TABLE ref_taken_2 (x int);",
            "SELECT kmersearch_partition_table('ref_taken', 3)", "42P07");
        Assert.Contains("\"ref_taken_2\" already exists", error.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task A_kmer_index_built_with_high_frequency_exclusion_is_refused()
    {
        PostgresException error = await RefusedAsync("ref_precluded", Plain("ref_precluded") + """
            SET kmersearch.kmer_size = 8;
            SET kmersearch.occur_bitlen = 8;
            CREATE INDEX ref_precluded_gin ON ref_precluded USING gin (seq kmersearch_dna2_gin_ops_int4);
            UPDATE kmersearch_index_info SET preclude_highfreq_kmer = true WHERE index_oid = 'ref_precluded_gin'::regclass;
            """, "SELECT kmersearch_partition_table('ref_precluded', 2)", "55000");
        Assert.Contains("ref_precluded_gin", error.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task Unpartitioning_refuses_plain_tables_empty_partitioned_tables_and_partition_dependents()
    {
        PostgresException plain = await RefusedAsync("ref_plain", Plain("ref_plain"), "SELECT kmersearch_unpartition_table('ref_plain')", "42809");
        Assert.Contains("is not partitioned", plain.MessageText, StringComparison.Ordinal);

        await RefusedAsync("ref_empty", """
            DROP TABLE IF EXISTS ref_empty;
            CREATE TABLE ref_empty (seq dna2) PARTITION BY HASH (seq);
            """, "SELECT kmersearch_unpartition_table('ref_empty')", "42P16");

        PostgresException view = await RefusedAsync("ref_parts", """
            DROP TABLE IF EXISTS ref_parts CASCADE;
            CREATE TABLE ref_parts (id int, seq dna2) PARTITION BY HASH (seq);
            CREATE TABLE ref_parts_0 PARTITION OF ref_parts FOR VALUES WITH (MODULUS 2, REMAINDER 0);
            CREATE TABLE ref_parts_1 PARTITION OF ref_parts FOR VALUES WITH (MODULUS 2, REMAINDER 1);
            INSERT INTO ref_parts SELECT i, 'ACGT' FROM generate_series(1, 10) i;
            CREATE VIEW ref_parts_one AS SELECT * FROM ref_parts_1;
            CREATE INDEX ref_parts_0_own ON ref_parts_0 (id);
            """, "SELECT kmersearch_unpartition_table('ref_parts')", "2BP01");
        Assert.Contains("view ref_parts_one", view.MessageText, StringComparison.Ordinal);
        Assert.Contains("index ref_parts_0_own", view.MessageText, StringComparison.Ordinal);
    }
}
