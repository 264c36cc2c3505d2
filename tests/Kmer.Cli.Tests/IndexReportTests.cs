using System.Text.Json;

namespace Kmer.Cli.Tests;

/// <summary>How <c>kmer-cli index</c> shows its result: an aligned table, or one JSON object.</summary>
public sealed class IndexReportTests
{
    private static readonly IndexResult AllBuilt = new("reads", "seq",
    [
        new("reads_0", "reads_0_seq_gin_idx", 250123, 4211, 4242, true, null),
        new("reads_1", "reads_1_seq_gin_idx", 249877, 3987, 4243, true, null),
        new("reads_2", "reads_2_seq_gin_idx", 250001, 0, null, true, null),
    ], TimeSpan.FromMilliseconds(8350));

    private static readonly IndexResult OneFailed = AllBuilt with
    {
        Partitions =
        [
            AllBuilt.Partitions[0],
            new("reads_1", "reads_1_seq_gin_idx", 0, 5003, 4243, false, "canceling statement due to lock timeout (SQLSTATE 55P03)"),
        ],
    };

    [Fact]
    public void Text_is_a_headline_and_one_aligned_row_per_partition()
    {
        var output = new StringWriter();

        IndexReport.WriteText(output, AllBuilt);

        Assert.Equal(
        [
            "k-mer index of reads.seq: 3 of 3 partitions indexed, 750001 rows (8.35 s)",
            "  partition  index                  rows    ms   pid  status",
            "  reads_0    reads_0_seq_gin_idx  250123  4211  4242  ok",
            "  reads_1    reads_1_seq_gin_idx  249877  3987  4243  ok",
            "  reads_2    reads_2_seq_gin_idx  250001     0     -  kept",
        ], Lines(output));
        Assert.Equal("ok", IndexReport.Status(AllBuilt));
    }

    [Fact]
    public void A_failed_partition_shows_its_error_and_what_to_do()
    {
        var output = new StringWriter();

        IndexReport.WriteText(output, OneFailed);

        string[] lines = Lines(output);
        Assert.Equal("k-mer index of reads.seq: 1 of 2 partitions indexed, 250123 rows (8.35 s)", lines[0]);
        Assert.Equal("  reads_1    reads_1_seq_gin_idx       0  5003  4243  FAILED: canceling statement due to lock timeout (SQLSTATE 55P03)", lines[3]);
        Assert.StartsWith("1 partition(s) failed: the partitioned index was not created.", lines[4], StringComparison.Ordinal);
        Assert.Equal("partial", IndexReport.Status(OneFailed));
    }

    [Fact]
    public void No_partitions_is_just_the_headline()
    {
        var output = new StringWriter();

        IndexReport.WriteText(output, AllBuilt with { Partitions = [] });

        Assert.Equal(["k-mer index of reads.seq: 0 of 0 partitions indexed, 0 rows (8.35 s)"], Lines(output));
    }

    [Fact]
    public void Json_has_the_functions_rows_under_partitions()
    {
        var output = new StringWriter();

        IndexReport.WriteJson(output, OneFailed);

        using JsonDocument doc = JsonDocument.Parse(output.ToString());
        JsonElement root = doc.RootElement;
        Assert.Equal("partial", root.GetProperty("status").GetString());
        Assert.Equal("reads", root.GetProperty("table").GetString());
        Assert.Equal("seq", root.GetProperty("column").GetString());
        Assert.Equal(1, root.GetProperty("succeeded").GetInt32());
        Assert.Equal(1, root.GetProperty("failed").GetInt32());
        Assert.Equal(250123, root.GetProperty("rows_processed").GetInt64());
        Assert.Equal(8.35, root.GetProperty("elapsed_seconds").GetDouble(), 3);
        JsonElement[] partitions = [.. root.GetProperty("partitions").EnumerateArray()];
        Assert.Equal(2, partitions.Length);
        Assert.Equal("reads_0", partitions[0].GetProperty("partition_name").GetString());
        Assert.Equal("reads_0_seq_gin_idx", partitions[0].GetProperty("index_name").GetString());
        Assert.Equal(250123, partitions[0].GetProperty("rows_processed").GetInt64());
        Assert.Equal(4211, partitions[0].GetProperty("execution_time_ms").GetInt64());
        Assert.Equal(4242, partitions[0].GetProperty("worker_pid").GetInt32());
        Assert.True(partitions[0].GetProperty("success").GetBoolean());
        Assert.Equal(JsonValueKind.Null, partitions[0].GetProperty("error_message").ValueKind);
        Assert.False(partitions[1].GetProperty("success").GetBoolean());
        Assert.Contains("55P03", partitions[1].GetProperty("error_message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_worker_pid_is_null_for_a_kept_index()
    {
        var output = new StringWriter();

        IndexReport.WriteJson(output, AllBuilt);

        using JsonDocument doc = JsonDocument.Parse(output.ToString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("partitions")[2].GetProperty("worker_pid").ValueKind);
        Assert.Equal("ok", doc.RootElement.GetProperty("status").GetString());
    }

    private static string[] Lines(StringWriter output) => output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
}
