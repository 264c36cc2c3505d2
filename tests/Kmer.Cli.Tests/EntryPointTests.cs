using System.Diagnostics;
using System.Text.Json;

namespace Kmer.Cli.Tests;

/// <summary>
/// Runs the built <c>kmer-cli</c> as a process, so that Cocona's argument
/// parsing, the service wiring and the exit codes are tested end to end.
/// </summary>
public sealed class EntryPointTests
{
    [Fact]
    public async Task Status_json_against_a_fake_worker_exits_0()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.TwoJobs);

        (int code, string stdout, string stderr) = await RunCliAsync(["status", "--socket", worker.SocketPath, "--json", "--timeout", "10"]);

        Assert.True(code == ExitCodes.Running, $"exit {code}: {stderr}");
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal("running", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("jobs").GetArrayLength());
    }

    [Fact]
    public async Task Jobs_finds_the_socket_in_the_environment()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.TwoJobs);

        (int code, string stdout, string stderr) = await RunCliAsync(["jobs"], worker.SocketPath);

        Assert.True(code == ExitCodes.Running, $"exit {code}: {stderr}");
        Assert.Contains("kmersearch.build_index", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_a_missing_socket_exits_3()
    {
        string path = Path.Combine(Path.GetTempPath(), "kmer-cli-absent", "none.sock");

        (int code, string stdout, string stderr) = await RunCliAsync(["status", "--socket", path]);

        Assert.Equal(ExitCodes.NotRunning, code);
        Assert.Equal("", stdout);
        Assert.Contains($"socket {path} not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_from_the_worker_exits_4()
    {
        await using var worker = FakeWorker.SendingBytes([0xFF, 0xFF, 0xFF, 0xFF]);

        (int code, _, string stderr) = await RunCliAsync(["status", "--socket", worker.SocketPath]);

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("protocol error", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_exits_0_when_cancelled_and_1_when_there_is_no_such_job()
    {
        await using var worker = FakeWorker.CancellingJobs(7);

        (int code, string stdout, string stderr) = await RunCliAsync(["cancel", "7", "--socket", worker.SocketPath, "--timeout", "10"]);
        Assert.True(code == ExitCodes.Running, $"exit {code}: {stderr}");
        Assert.Equal("cancelled job 7", stdout.TrimEnd());

        (code, stdout, stderr) = await RunCliAsync(["cancel", "8", "--json"], worker.SocketPath);
        Assert.True(code == ExitCodes.NoSuchJob, $"exit {code}: {stderr}");
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal("no_such_job", doc.RootElement.GetProperty("status").GetString());
        Assert.False(doc.RootElement.GetProperty("cancelled").GetBoolean());
    }

    [Fact]
    public async Task Cancel_of_a_missing_socket_exits_3()
    {
        string path = Path.Combine(Path.GetTempPath(), "kmer-cli-absent", "none.sock");

        (int code, _, string stderr) = await RunCliAsync(["cancel", "7", "--socket", path]);

        Assert.Equal(ExitCodes.NotRunning, code);
        Assert.Contains($"socket {path} not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_help_documents_the_exit_codes()
    {
        (int code, string stdout, _) = await RunCliAsync(["cancel", "--help"]);

        // Cocona exits 129 ("usage shown") after --help too.
        Assert.Equal(129, code);
        Assert.Contains("Exit 0 cancelled, 1 no running job JOB, 3 not running, 4 cannot reach.", stdout, StringComparison.Ordinal);
        Assert.Contains("JOB", stdout, StringComparison.Ordinal);
    }

    // A bad value exits 1; an unknown option exits 129, Cocona's code for
    // "usage shown". Neither can be mistaken for 0, 3 or 4.
    [Theory]
    [InlineData("--timeout", "abc", 1)]
    [InlineData("--timeout", "0", 1)]
    [InlineData("--no-such-option", "x", 129)]
    public async Task Bad_arguments_are_usage_errors(string option, string value, int expected)
    {
        (int code, string stdout, string stderr) = await RunCliAsync(["status", option, value, "--socket", "/nonexistent/w.sock"]);

        Assert.Equal(expected, code);
        Assert.NotEqual("", stderr + stdout);
    }

    [Theory]
    [InlineData("abc", 1)]
    [InlineData("0", 1)]
    public async Task Cancel_with_a_bad_job_id_is_a_usage_error(string job, int expected)
    {
        (int code, string stdout, string stderr) = await RunCliAsync(["cancel", job, "--socket", "/nonexistent/w.sock"]);

        Assert.Equal(expected, code);
        Assert.NotEqual("", stderr + stdout);
    }

    [Fact]
    public async Task Gen_sql_writes_the_checked_in_file_to_stdout_and_check_accepts_it()
    {
        string path = RepositoryRoot.File(BridgedSqlGenerator.DefaultPath);

        (int code, string stdout, string stderr) = await RunCliAsync(["gen-sql"]);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Equal(new BridgedSqlGenerator().Generate(), stdout);

        (code, stdout, stderr) = await RunCliAsync(["gen-sql", "--check", path]);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.StartsWith($"{path}: up to date, ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gen_sql_check_of_a_different_file_exits_1_and_output_with_check_is_a_usage_error()
    {
        string directory = TempDirectory.Create();
        try
        {
            string path = Path.Combine(directory, "90.sql");
            await File.WriteAllTextAsync(path, "-- stale\n");

            (int code, _, string stderr) = await RunCliAsync(["gen-sql", "--check", path]);
            Assert.Equal(1, code);
            Assert.Contains("-- stale", stderr, StringComparison.Ordinal);
            Assert.Equal("-- stale\n", await File.ReadAllTextAsync(path));

            (code, _, stderr) = await RunCliAsync(["gen-sql", "--output", path, "--check", path]);
            Assert.Equal(1, code);
            Assert.Contains("not both", stderr, StringComparison.Ordinal);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunCliAsync(string[] args, string? socketEnvironment = null)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "kmer-cli.dll");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(cli);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (socketEnvironment is null)
        {
            start.Environment.Remove("KMER_WORKER_SOCKET");
        }
        else
        {
            start.Environment["KMER_WORKER_SOCKET"] = socketEnvironment;
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

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

    // The SDK tells test hosts where its dotnet is; fall back to the one on PATH.
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
}
