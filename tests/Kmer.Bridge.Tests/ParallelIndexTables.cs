using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>Hash-partitioned test tables for the <c>kmersearch_parallel_create_index</c> tests, and what to ask about them.</summary>
internal static class ParallelIndexTables
{
    /// <summary>The settings every test starts from: k = 8, b = 8 (24-bit keys: the <c>_int4</c> classes).</summary>
    public const string Settings = "SET kmersearch.kmer_size = 8; SET kmersearch.occur_bitlen = 8";

    /// <summary>
    /// Creates <paramref name="name"/> <c>(id int, seq DNA2|DNA4) PARTITION BY HASH (seq)</c>
    /// with partitions <c>name_0 … name_{n-1}</c> and <paramref name="rows"/>
    /// pseudo-random reads of 60–66 bases (the same rows for the same seed).
    /// </summary>
    public static async Task CreateAsync(NpgsqlConnection connection, string name, int partitions = 4, int rows = 2000, string type = "dna2", double seed = 0.25)
    {
        await Sql.ExecuteAsync(connection, $"CREATE TABLE {name} (id integer, seq {type}) PARTITION BY HASH (seq)");
        for (int i = 0; i < partitions; i++)
        {
            await Sql.ExecuteAsync(connection, $"CREATE TABLE {name}_{i} PARTITION OF {name} FOR VALUES WITH (MODULUS {partitions}, REMAINDER {i})");
        }

        await FillAsync(connection, name, rows, type, seed);
    }

    /// <summary>Inserts <paramref name="rows"/> pseudo-random reads into <paramref name="name"/>.</summary>
    public static async Task FillAsync(NpgsqlConnection connection, string name, int rows, string type = "dna2", double seed = 0.25)
    {
        await Sql.ExecuteAsync(connection, $"SELECT setseed({seed.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        await Sql.ExecuteAsync(connection,
            $"""
            INSERT INTO {name}
            SELECT i, (SELECT string_agg(substr('ACGT', 1 + floor(random() * 4)::int, 1), '')
                         FROM generate_series(1, 60 + i % 7))::{type}
              FROM generate_series(1, {rows}) AS i
            """);
    }

    /// <summary>Runs the function and returns its rows: partition, index, rows, ms, pid, success, error.</summary>
    public static Task<List<object?[]>> BuildAsync(NpgsqlConnection connection, string table, string column = "seq", string? tablespace = null) =>
        Sql.RowsAsync(connection,
            "SELECT partition_name, index_name, rows_processed, execution_time_ms, worker_pid, success, error_message "
            + $"FROM kmersearch_parallel_create_index({Literal(table)}, {Literal(column)}{(tablespace is null ? "" : ", " + Literal(tablespace))})");

    /// <summary>The indexes on the partitioned table itself: name, valid, number of attached partition indexes.</summary>
    public static Task<List<object?[]>> ParentIndexesAsync(NpgsqlConnection connection, string table) =>
        Sql.RowsAsync(connection,
            $"""
            SELECT c.relname::text, i.indisvalid,
                   (SELECT count(*) FROM pg_inherits h WHERE h.inhparent = i.indexrelid)
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE i.indrelid = {Literal(table)}::regclass
             ORDER BY 1
            """);

    /// <summary>Index names on a relation, and whether each is attached to a partitioned index.</summary>
    public static Task<List<object?[]>> IndexesOfAsync(NpgsqlConnection connection, string relation) =>
        Sql.RowsAsync(connection,
            $"""
            SELECT c.relname::text, c.relispartition, i.indisvalid
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE i.indrelid = {Literal(relation)}::regclass
             ORDER BY 1
            """);

    /// <summary>A SQL string literal.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
