using System.Text.Json;

namespace Kmer.Cli.Tests;

/// <summary>How <c>kmer-cli partition</c> and <c>unpartition</c> report, and how they check their options, without a database.</summary>
public sealed class PartitionReportTests
{
    private const string NoServer = "Host=/nonexistent-kmer-partition;Username=postgres;Database=postgres;Timeout=2";

    [Fact]
    public void Text_is_one_line()
    {
        var output = new StringWriter();

        PartitionReport.WriteText(output, new PartitionOptions("reads", 4, null, NoServer, false), TimeSpan.FromSeconds(12.3456));
        PartitionReport.WriteText(output, new PartitionOptions("reads", null, "fast", NoServer, false), TimeSpan.FromSeconds(2));

        Assert.Equal(
        [
            "partitioned reads into 4 hash partitions (12.346 s)",
            "unpartitioned reads in tablespace fast (2.0 s)",
        ], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Json_names_the_command_table_partitions_and_tablespace()
    {
        var output = new StringWriter();

        PartitionReport.WriteJson(output, new PartitionOptions("reads", 8, "fast", NoServer, true), TimeSpan.FromSeconds(1.5));

        using JsonDocument doc = JsonDocument.Parse(output.ToString());
        JsonElement root = doc.RootElement;
        Assert.Equal("ok", root.GetProperty("status").GetString());
        Assert.Equal("partition", root.GetProperty("command").GetString());
        Assert.Equal("reads", root.GetProperty("table").GetString());
        Assert.Equal(8, root.GetProperty("partitions").GetInt32());
        Assert.Equal("fast", root.GetProperty("tablespace").GetString());
        Assert.Equal(1.5, root.GetProperty("elapsed_seconds").GetDouble());
    }

    [Fact]
    public void Unpartition_json_has_no_partition_count()
    {
        var output = new StringWriter();

        PartitionReport.WriteJson(output, new PartitionOptions("reads", null, null, NoServer, true), TimeSpan.Zero);

        using JsonDocument doc = JsonDocument.Parse(output.ToString());
        Assert.Equal("unpartition", doc.RootElement.GetProperty("command").GetString());
        Assert.False(doc.RootElement.TryGetProperty("partitions", out _));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("tablespace").ValueKind);
    }

    [Fact]
    public void The_options_name_the_function_they_call()
    {
        Assert.Equal("kmersearch_partition_table", new PartitionOptions("t", 2, null, NoServer, false).Function);
        Assert.Equal("kmersearch_unpartition_table", new PartitionOptions("t", null, null, NoServer, false).Function);
        Assert.Equal("kmersearch_parallel_create_index", IndexOptions.Function);
    }

    [Theory]
    [InlineData("partition", null, 4, null, "--table is required")]
    [InlineData("partition", "reads", null, null, "--partitions is required")]
    [InlineData("partition", "reads", 0, null, "--partitions must be at least 1")]
    [InlineData("partition", "reads", 4, 70000, "--port must be between 1 and 65535")]
    [InlineData("partition", "reads", 4, 5432, null)]
    [InlineData("unpartition", "reads", null, null, null)]
    [InlineData("unpartition", "", null, null, "--table is required")]
    public void Partition_options_are_checked(string command, string? table, int? partitions, int? port, string? expected) =>
        Assert.Equal(expected, PartitionCommands.CheckPartition(command, table, partitions, port));

    [Theory]
    [InlineData(null, "seq", null, null, null, null, "--table is required")]
    [InlineData("reads", null, null, null, null, null, "--column is required")]
    [InlineData("reads", "seq", 0, null, null, null, "--port must be between 1 and 65535")]
    [InlineData("reads", "seq", null, 0, null, null, "--kmer-size must be a positive number of bases")]
    [InlineData("reads", "seq", null, null, -1, null, "--occur-bitlen must not be negative")]
    [InlineData("reads", "seq", null, null, null, 0, "--parallel must be at least 1")]
    [InlineData("reads", "seq", 5432, 8, 8, 4, null)]
    public void Index_options_are_checked(string? table, string? column, int? port, int? kmerSize, int? occurBitlen, int? parallel, string? expected) =>
        Assert.Equal(expected, PartitionCommands.CheckIndex(table, column, port, kmerSize, occurBitlen, parallel));

    [Fact]
    public void The_connection_reports_the_command_as_application_name_unless_one_is_given()
    {
        string resolved = PartitionConnection.Resolve("index", NoServer, null, null, null, null, _ => null);
        string given = PartitionConnection.Resolve("index", NoServer + ";Application Name=mine", null, null, null, null, _ => null);

        Assert.Equal("kmer-cli index", new Npgsql.NpgsqlConnectionStringBuilder(resolved).ApplicationName);
        Assert.Equal("mine", new Npgsql.NpgsqlConnectionStringBuilder(given).ApplicationName);
    }

    [Fact]
    public async Task Services_exit_4_when_they_cannot_connect_and_130_when_cancelled()
    {
        var service = new PartitionService();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int index = await service.IndexAsync(new IndexOptions("reads", "seq", null, NoServer, new AnalyzeSettings(), Json: true), new AnalyzeConsole(stdout, stderr, false));
        int partition = await service.PartitionAsync(new PartitionOptions("reads", 4, null, NoServer, false), new AnalyzeConsole(new StringWriter(), new StringWriter(), false),
            new CancellationToken(canceled: true));

        Assert.Equal(PartitionExitCodes.CannotConnect, index);
        using JsonDocument doc = JsonDocument.Parse(stdout.ToString());
        Assert.Equal("cannot_connect", doc.RootElement.GetProperty("status").GetString());
        Assert.StartsWith("kmer-cli: cannot connect to PostgreSQL (Host=/nonexistent-kmer-partition;", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(PartitionExitCodes.Cancelled, partition);
    }

    [Fact]
    public void Progress_is_a_bar_on_a_terminal_and_lines_otherwise_on_stderr_with_json()
    {
        var service = new PartitionService();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        service.CreateProgress(false, new AnalyzeConsole(stdout, stderr, ProgressIsTerminal: true), DateTimeOffset.UnixEpoch).OnTick(DateTimeOffset.UnixEpoch);
        service.CreateProgress(true, new AnalyzeConsole(stdout, stderr, ProgressIsTerminal: false), DateTimeOffset.UnixEpoch)
            .OnNotice(new AnalyzeNotice(DateTimeOffset.UnixEpoch, "NOTICE", "partition 1/4: built index \"r_0_seq_gin_idx\" on \"r_0\" in 10 ms (backend 7)"));

        Assert.StartsWith("\r[######", stdout.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("  NOTICE  partition 1/4: built index \"r_0_seq_gin_idx\" on \"r_0\" in 10 ms (backend 7)" + Environment.NewLine, stderr.ToString(), StringComparison.Ordinal);
    }
}
