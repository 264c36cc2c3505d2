using System.Diagnostics;
using System.Text.Json;

namespace Kmer.Cli.Tests;

/// <summary><c>kmer-cli analyze</c> without a database: options, usage errors, and a server that cannot be reached.</summary>
public sealed class AnalyzeCommandTests
{
    // No server socket in a directory that does not exist: fails at once.
    private const string NoServer = "Host=/nonexistent-kmer-analyze;Username=postgres;Database=postgres;Timeout=2";

    [Theory]
    [InlineData(null, "seq", "--table is required")]
    [InlineData("reads", "", "--column is required")]
    public void Table_and_column_are_required(string? table, string? column, string expected) =>
        Assert.Equal(expected, AnalyzeCommands.Check(table, column, null, null, null, null, null, null, null));

    [Fact]
    public void Values_that_cannot_be_meant_are_rejected_and_ranges_are_left_to_the_server()
    {
        Assert.Null(AnalyzeCommands.Check("reads", "seq", 5432, 64, 16, 1, 0, 0, 1));
        Assert.Equal("--port must be between 1 and 65535", AnalyzeCommands.Check("reads", "seq", 0, null, null, null, null, null, null));
        Assert.Equal("--kmer-size must be a positive number of bases", AnalyzeCommands.Check("reads", "seq", null, 0, null, null, null, null, null));
        Assert.Equal("--max-appearance-rate must be between 0 and 1", AnalyzeCommands.Check("reads", "seq", null, null, null, double.NaN, null, null, null));
        Assert.Equal("--max-appearance-rate must be between 0 and 1", AnalyzeCommands.Check("reads", "seq", null, null, null, 1.5, null, null, null));
        Assert.Equal("--readers must not be negative", AnalyzeCommands.Check("reads", "seq", null, null, null, null, null, -1, null));
        Assert.Equal("--memory-limit must be a positive number of MB", AnalyzeCommands.Check("reads", "seq", null, null, null, null, null, null, 0));
    }

    [Fact]
    public void Only_the_given_settings_are_set_in_a_fixed_order()
    {
        var settings = new AnalyzeSettings(KmerSize: 12, MaxAppearanceRate: 0.05, Readers: 0, MemoryLimitMb: 256);

        Assert.Equal(
        [
            new("kmersearch.kmer_size", "12"),
            new("kmersearch.max_appearance_rate", "0.05"),
            new("max_parallel_maintenance_workers", "0"),
            new("kmersearch.highfreq_analysis_memory_limit", "256"),
        ], settings.ToSet());
        Assert.Empty(new AnalyzeSettings().ToSet());
    }

    [Fact]
    public async Task Service_exits_4_when_it_cannot_connect_and_writes_json_on_request()
    {
        var options = new AnalyzeOptions("reads", "seq", NoServer, new AnalyzeSettings(), Json: true);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = await new AnalyzeService().RunAsync(options, new AnalyzeConsole(stdout, stderr, ProgressIsTerminal: false));

        Assert.Equal(AnalyzeExitCodes.CannotConnect, code);
        Assert.StartsWith("kmer-cli: cannot connect to PostgreSQL (Host=/nonexistent-kmer-analyze;Port=5432;", stderr.ToString(), StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(stdout.ToString());
        Assert.Equal("cannot_connect", doc.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Service_exits_130_when_cancelled()
    {
        var options = new AnalyzeOptions("reads", "seq", NoServer, new AnalyzeSettings(), Json: false);
        var stderr = new StringWriter();

        int code = await new AnalyzeService().RunAsync(options, new AnalyzeConsole(new StringWriter(), stderr, ProgressIsTerminal: false), new CancellationToken(canceled: true));

        Assert.Equal(AnalyzeExitCodes.Cancelled, code);
        Assert.Contains("cancelled", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_goes_to_stdout_or_with_json_to_stderr_as_a_bar_on_a_terminal()
    {
        var service = new AnalyzeService();
        var options = new AnalyzeOptions("reads", "seq", NoServer, new AnalyzeSettings(), Json: false);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        service.CreateProgress(options, new AnalyzeConsole(stdout, stderr, ProgressIsTerminal: true), DateTimeOffset.UnixEpoch).OnTick(DateTimeOffset.UnixEpoch);
        service.CreateProgress(options with { Json = true }, new AnalyzeConsole(stdout, stderr, ProgressIsTerminal: false), DateTimeOffset.UnixEpoch)
            .OnNotice(new AnalyzeNotice(DateTimeOffset.UnixEpoch, "INFO", "hello"));

        Assert.StartsWith("\r[######", stdout.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("  INFO  hello" + Environment.NewLine, stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--column", "seq" }, "--table is required")]
    [InlineData(new[] { "--table", "reads", "--column", "seq", "--kmer-size", "abc" }, "--kmer-size")]
    [InlineData(new[] { "--table", "reads", "--column", "seq", "--max-appearance-rate", "2" }, "--max-appearance-rate must be between 0 and 1")]
    public async Task Usage_errors_exit_2(string[] args, string expected)
    {
        (int code, string stdout, string stderr) = await RunCliAsync(["analyze", .. args, "--connection", NoServer]);

        Assert.True(code == AnalyzeExitCodes.Usage, $"exit {code}: {stdout} {stderr}");
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_exits_4_when_it_cannot_connect()
    {
        (int code, string stdout, string stderr) = await RunCliAsync(["analyze", "--table", "reads", "--column", "seq", "--host", "/nonexistent-kmer-analyze", "--json"]);

        Assert.True(code == AnalyzeExitCodes.CannotConnect, $"exit {code}: {stdout} {stderr}");
        Assert.Contains("Host=/nonexistent-kmer-analyze", stderr, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal("cannot_connect", doc.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Help_documents_the_exit_codes()
    {
        (_, string stdout, _) = await RunCliAsync(["analyze", "--help"]);

        Assert.Contains("Exit 0 done, 1 SQL error, 2 usage, 4 cannot connect, 130 interrupted", stdout, StringComparison.Ordinal);
        Assert.Contains("--readers", stdout, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunCliAsync(string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "kmer-cli.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string variable in new[] { "KMER_CONNECTION", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER" })
        {
            start.Environment.Remove(variable);
        }

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
