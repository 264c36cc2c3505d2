using System.Text.Json;
using Npgsql;

namespace Kmer.Cli.Tests;

/// <summary>
/// <c>kmer-cli analyze</c>'s service against the real server and worker pool,
/// on the worked example of the spec (highfreq-analysis.md §1.5).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AnalyzeDatabaseTests : IClassFixture<DatabaseFixture>
{
    private static readonly AnalyzeSettings Example = new(KmerSize: 4, OccurBitlen: 2, MaxAppearanceRate: 0.5, MaxAppearanceNrow: 0);

    private readonly DatabaseFixture _database;

    public AnalyzeDatabaseTests(DatabaseFixture database) => _database = database;

    [DatabaseFact]
    public async Task Analysis_of_the_worked_example_prints_the_result_and_the_notices()
    {
        await CreateExampleAsync("analyze_example");

        (int code, string stdout, string stderr) = await RunAsync("analyze_example", Example, json: false);

        Assert.True(code == AnalyzeExitCodes.Ok, $"exit {code}: {stderr}");
        string[] lines = stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("  INFO  ", StringComparison.Ordinal));
        Assert.Contains("high-frequency k-mer analysis of analyze_example.seq: 1 high-frequency k-mers in 5 rows", stdout, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("  max_appearance_nrow_used", StringComparison.Ordinal) && l.Contains("  2  (rows;", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  kmersearch.kmer_size", StringComparison.Ordinal) && l.EndsWith(" 4", StringComparison.Ordinal));

        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await using var keys = new NpgsqlCommand(
            "SELECT array_agg(uintkey ORDER BY uintkey) FROM kmersearch_highfreq_kmer WHERE table_oid = 'analyze_example'::regclass", connection);
        Assert.Equal(new long[] { 108 }, (long[])(await keys.ExecuteScalarAsync())!);
    }

    [DatabaseFact]
    public async Task Json_result_with_a_row_limit()
    {
        await CreateExampleAsync("analyze_example_nrow");

        (int code, string stdout, string stderr) = await RunAsync("analyze_example_nrow", Example with { MaxAppearanceNrow = 1 }, json: true);

        Assert.True(code == AnalyzeExitCodes.Ok, $"exit {code}: {stderr}");
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(5, root.GetProperty("total_rows").GetInt64());
        Assert.Equal(3, root.GetProperty("highfreq_kmers_count").GetInt32());
        Assert.Equal(1, root.GetProperty("max_appearance_nrow_used").GetInt32());
        Assert.Equal(0.5, root.GetProperty("max_appearance_rate_used").GetDouble());
        Assert.Equal("2", root.GetProperty("settings").GetProperty("kmersearch.occur_bitlen").GetString());
        Assert.Contains("  INFO  ", stderr, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task A_missing_table_is_an_sql_error_with_its_sqlstate()
    {
        (int code, _, string stderr) = await RunAsync("analyze_no_such_table", Example, json: false);

        Assert.Equal(AnalyzeExitCodes.SqlError, code);
        Assert.StartsWith("kmer-cli: ERROR 42P01: ", stderr[stderr.IndexOf("kmer-cli: ERROR", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task An_invalid_setting_is_an_sql_error_before_the_call()
    {
        (int code, _, string stderr) = await RunAsync("analyze_example", new AnalyzeSettings(KmerSize: 99), json: false);

        Assert.Equal(AnalyzeExitCodes.SqlError, code);
        Assert.Contains("kmer-cli: ERROR 22023: ", stderr, StringComparison.Ordinal);
    }

    private async Task CreateExampleAsync(string table)
    {
        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await DatabaseFixture.ExecuteAsync(connection, $"DROP TABLE IF EXISTS {table}");
        await DatabaseFixture.ExecuteAsync(connection, $"CREATE TABLE {table} (id int, seq DNA2)");
        await DatabaseFixture.ExecuteAsync(connection,
            $"INSERT INTO {table} VALUES (1, 'ACGTACGT'), (2, 'ACGTTTTT'), (3, 'GGACGTCC'), (4, 'TTTTTTTT'), (5, NULL)");
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string table, AnalyzeSettings settings, bool json)
    {
        string connectionString = new NpgsqlConnectionStringBuilder(TestDatabase.RequireConnectionString())
        {
            Database = _database.DatabaseName,
        }.ConnectionString;
        var options = new AnalyzeOptions(table, "seq", AnalyzeConnection.Resolve(connectionString, null, null, null, null, _ => null), settings, json);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await new AnalyzeService().RunAsync(options, new AnalyzeConsole(stdout, stderr, ProgressIsTerminal: false));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
