using Npgsql;

namespace Kmer.Search.Tests;

/// <summary>The SQLSTATEs clients see through Npgsql for bad queries, bad input and a wrong operator class.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ErrorStateTests : IClassFixture<DatabaseFixture>
{
    private const string InvalidParameterValue = "22023";
    private const string InvalidTextRepresentation = "22P02";

    private readonly DatabaseFixture _database;

    public ErrorStateTests(DatabaseFixture database) => _database = database;

    [DatabaseTheory]
    [InlineData("SELECT 'ACGTACGTAC'::DNA2 =% 'ACGTACG'")]
    [InlineData("SELECT 'ACGTACGTAC'::DNA4 =% 'acgtacg'")]
    [InlineData("SELECT kmersearch_matchscore('ACGTACGTAC'::DNA2, 'ACGTACG')")]
    [InlineData("SELECT kmersearch_matchscore('ACGTACGTAC'::DNA4, '')")]
    [InlineData("SELECT 'ACGTACGTAC'::DNA2 =% 'AX'")] // the length is checked before the letters
    public async Task Query_shorter_than_k_is_22023(string sql)
    {
        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await DatabaseFixture.ExecuteAsync(connection, "SET kmersearch.occur_bitlen = 8; SET kmersearch.kmer_size = 8");
        await AssertSqlStateAsync(connection, sql, InvalidParameterValue);
    }

    [DatabaseFact]
    public async Task Query_shorter_than_k_is_22023_on_the_index_path()
    {
        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await DatabaseFixture.ExecuteAsync(connection, "SET kmersearch.occur_bitlen = 8; SET kmersearch.kmer_size = 8");
        await DatabaseFixture.ExecuteAsync(connection, "CREATE TEMP TABLE short_query (s DNA2)");
        await DatabaseFixture.ExecuteAsync(connection, "INSERT INTO short_query VALUES ('ACGTACGTACGT'), ('GGGGCCCCAAAA')");
        await DatabaseFixture.ExecuteAsync(connection, "CREATE INDEX ON short_query USING gin (s kmersearch_dna2_gin_ops_int4)");
        await DatabaseFixture.ExecuteAsync(connection, "SET enable_seqscan = off");
        await AssertSqlStateAsync(connection, "SELECT * FROM short_query WHERE s =% 'ACGTACG'", InvalidParameterValue);
    }

    [DatabaseTheory]
    [InlineData("SELECT 'ACGTACGTAC'::DNA2 =% 'ACGTXACGT'")]
    [InlineData("SELECT 'ACGTACGTAC'::DNA4 =% 'ACGT ACGT'")]
    [InlineData("SELECT 'ACGTACGTAC'::DNA2 =% 'ACGTACGT-'")]
    [InlineData("SELECT kmersearch_matchscore('ACGTACGTAC'::DNA2, 'ACGTACGTÄ')")]
    [InlineData("SELECT kmersearch_matchscore('ACGTACGTAC'::DNA4, 'ACGTACGT?')")]
    public async Task Invalid_character_in_query_is_22P02(string sql)
    {
        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await DatabaseFixture.ExecuteAsync(connection, "SET kmersearch.occur_bitlen = 8; SET kmersearch.kmer_size = 8");
        await AssertSqlStateAsync(connection, sql, InvalidTextRepresentation);
    }

    [DatabaseTheory]
    [InlineData(4, 8, "dna2", "int4")] // needs int2 (16 bits)
    [InlineData(4, 8, "dna4", "int8")]
    [InlineData(8, 8, "dna2", "int2")] // needs int4 (24 bits)
    [InlineData(8, 8, "dna4", "int8")]
    [InlineData(16, 8, "dna2", "int4")] // needs int8 (40 bits)
    [InlineData(32, 0, "dna4", "int2")]
    public async Task Operator_class_of_the_wrong_width_is_22023_at_create_index(int k, int b, string type, string keyClass)
    {
        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await DatabaseFixture.ExecuteAsync(connection, $"SET kmersearch.occur_bitlen = 0; SET kmersearch.kmer_size = {k}; SET kmersearch.occur_bitlen = {b}");
        await DatabaseFixture.ExecuteAsync(connection, $"CREATE TEMP TABLE wrong_width (s {type})");
        await DatabaseFixture.ExecuteAsync(connection, "INSERT INTO wrong_width VALUES ('ACGTACGTACGTACGTACGTACGTACGTACGTACGT')");
        await AssertSqlStateAsync(connection, $"CREATE INDEX ON wrong_width USING gin (s kmersearch_{type}_gin_ops_{keyClass})", InvalidParameterValue);

        // The width the settings call for is accepted.
        string right = ((2 * k) + b) switch
        {
            <= 16 => "int2",
            <= 32 => "int4",
            _ => "int8",
        };
        await DatabaseFixture.ExecuteAsync(connection, $"CREATE INDEX ON wrong_width USING gin (s kmersearch_{type}_gin_ops_{right})");
    }

    [DatabaseTheory]
    [InlineData("SELECT 'ACGN'::DNA2")]
    [InlineData("SELECT 'ACGTR'::DNA2")]
    [InlineData("SELECT 'AC GT'::DNA2")]
    [InlineData("SELECT ' ACGT'::DNA2")]
    [InlineData("SELECT 'ACGX'::DNA4")]
    public async Task Invalid_DNA_text_is_22P02(string sql)
    {
        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await AssertSqlStateAsync(connection, sql, InvalidTextRepresentation);
    }

    [DatabaseFact]
    public async Task Invalid_DNA2_text_in_a_parameter_is_22P02()
    {
        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT $1::text::DNA2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = "ACGTNACGT" });
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
        Assert.Equal(InvalidTextRepresentation, error.SqlState);
    }

    private static async Task AssertSqlStateAsync(NpgsqlConnection connection, string sql, string sqlState)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        Assert.True(error.SqlState == sqlState, $"{sql}: expected SQLSTATE {sqlState}, got {error.SqlState}: {error.MessageText}");
    }
}
