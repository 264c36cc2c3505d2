using System.Text.Json;
using Npgsql;

namespace Kmer.Cli.Tests;

public sealed class AnalyzeReportTests
{
    private static readonly AnalyzeResult Sample = new(
        "reads", "seq", 20000, 123, 2, 0.05f, 1000,
        [
            new("kmersearch.kmer_size", "12"),
            new("kmersearch.occur_bitlen", "8"),
            new("kmersearch.highfreq_analysis_memory_limit", null),
        ],
        TimeSpan.FromMilliseconds(1234.4));

    [Fact]
    public void Text_is_a_headline_and_an_aligned_table()
    {
        var output = new StringWriter();

        AnalyzeReport.WriteText(output, Sample);

        Assert.Equal(
        [
            "high-frequency k-mer analysis of reads.seq: 123 high-frequency k-mers in 20000 rows (1.234 s)",
            "  total_rows                                 20000",
            "  highfreq_kmers_count                       123",
            "  parallel_workers_used                      2",
            "  max_appearance_rate_used                   0.05",
            "  max_appearance_nrow_used                   1000  (rows; a k-mer in more rows is high-frequency)",
            "  kmersearch.kmer_size                       12",
            "  kmersearch.occur_bitlen                    8",
            "  kmersearch.highfreq_analysis_memory_limit  (not defined on this server)",
            "  elapsed                                    1.234 s",
        ], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Json_has_the_result_fields_settings_and_elapsed_seconds()
    {
        var output = new StringWriter();

        AnalyzeReport.WriteJson(output, Sample);

        using JsonDocument doc = JsonDocument.Parse(output.ToString());
        JsonElement root = doc.RootElement;
        Assert.Equal("ok", root.GetProperty("status").GetString());
        Assert.Equal("reads", root.GetProperty("table").GetString());
        Assert.Equal("seq", root.GetProperty("column").GetString());
        Assert.Equal(20000, root.GetProperty("total_rows").GetInt64());
        Assert.Equal(123, root.GetProperty("highfreq_kmers_count").GetInt32());
        Assert.Equal(2, root.GetProperty("parallel_workers_used").GetInt32());
        Assert.Equal("0.05", root.GetProperty("max_appearance_rate_used").GetRawText());
        Assert.Equal(1000, root.GetProperty("max_appearance_nrow_used").GetInt32());
        Assert.Equal("12", root.GetProperty("settings").GetProperty("kmersearch.kmer_size").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("settings").GetProperty("kmersearch.highfreq_analysis_memory_limit").ValueKind);
        Assert.Equal(1.234, root.GetProperty("elapsed_seconds").GetDouble(), 3);
    }

    [Fact]
    public void Sql_errors_show_sqlstate_message_detail_and_hint()
    {
        var exception = new PostgresException("relation \"nope\" does not exist", "ERROR", "ERROR", "42P01",
            detail: "looked in search_path \"$user\", public", hint: "check the name");
        var error = new StringWriter();
        var json = new StringWriter();

        AnalyzeReport.WriteSqlError(error, exception);
        AnalyzeReport.WriteFailureJson(json, "error", exception.MessageText, exception);

        Assert.Equal(
        [
            "kmer-cli: ERROR 42P01: relation \"nope\" does not exist",
            "DETAIL:  looked in search_path \"$user\", public",
            "HINT:  check the name",
        ], error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        using JsonDocument doc = JsonDocument.Parse(json.ToString());
        Assert.Equal("error", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("42P01", doc.RootElement.GetProperty("sqlstate").GetString());
        Assert.Equal("check the name", doc.RootElement.GetProperty("hint").GetString());
    }
}
