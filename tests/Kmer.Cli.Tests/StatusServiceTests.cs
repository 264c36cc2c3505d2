using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Kmer.Protocol;

namespace Kmer.Cli.Tests;

public sealed class StatusServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Status_text_without_jobs()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.NoJobs);

        (int code, string stdout, string stderr) = await RunAsync(worker.SocketPath);

        Assert.Equal(ExitCodes.Running, code);
        Assert.Equal("", stderr);
        string[] lines = Lines(stdout);
        Assert.Equal($"kmer-worker pool is up (socket {worker.SocketPath})", lines[0]);
        Assert.Contains("  server:  kmer-worker 1.0.2026.11.24", lines);
        Assert.Contains("  version: 1.0.2026.11.24", lines);
        Assert.Contains("  pid:     4321", lines);
        Assert.Contains("  uptime:  3h 01m 05s (since 2026-11-24T08:00:00.000Z)", lines);
        Assert.Contains("  peer:    admin", lines);
        Assert.Equal("  jobs:    none running", lines[^1]);
    }

    [Fact]
    public async Task Status_shows_connections_and_memory_when_the_pool_reports_them()
    {
        StatusResult reported = FakeWorker.NoJobs with { Connections = 3, MemoryBytes = 52_428_800 };
        await using var worker = FakeWorker.Answering(reported);

        (int code, string stdout, _) = await RunAsync(worker.SocketPath);
        Assert.Equal(ExitCodes.Running, code);
        Assert.Contains("  clients: 3 connected (this one included)", Lines(stdout));
        Assert.Contains("  memory:  50.0 MiB resident", Lines(stdout));

        (_, string json, _) = await RunAsync(worker.SocketPath, json: true);
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal(3, doc.RootElement.GetProperty("connections").GetInt64());
        Assert.Equal(52_428_800, doc.RootElement.GetProperty("memory_bytes").GetInt64());
    }

    [Fact]
    public async Task Status_text_with_two_jobs()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.TwoJobs);

        (int code, string stdout, _) = await RunAsync(worker.SocketPath);

        Assert.Equal(ExitCodes.Running, code);
        string[] lines = Lines(stdout);
        Assert.Contains("  jobs:    2 running", lines);
        string[] table = lines[^3..];
        Assert.Equal(
        [
            "JOB  HANDLER                   CALLER PID  PROGRESS  RUNNING FOR",
            "  7  kmersearch.build_index          5150     42.5%   2h 01m 05s",
            " 12  kmersearch.analyze_table        5151         -       1m 35s",
        ], table);
    }

    [Fact]
    public async Task Status_json_without_jobs()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.NoJobs, new Welcome(1, "kmer-worker 1.0.2026.11.24", 4321, PeerKind.Server));

        (int code, string stdout, string stderr) = await RunAsync(worker.SocketPath, json: true);

        Assert.Equal(ExitCodes.Running, code);
        Assert.Equal("", stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal("running", root.GetProperty("status").GetString());
        Assert.Equal(worker.SocketPath, root.GetProperty("socket").GetString());
        Assert.Equal(1, root.GetProperty("protocol").GetInt32());
        Assert.Equal("kmer-worker 1.0.2026.11.24", root.GetProperty("server").GetString());
        Assert.Equal("1.0.2026.11.24", root.GetProperty("version").GetString());
        Assert.Equal(4321, root.GetProperty("pid").GetInt32());
        Assert.Equal("server", root.GetProperty("peer").GetString());
        Assert.Equal("2026-11-24T08:00:00.000Z", root.GetProperty("started_at").GetString());
        Assert.Equal(10865, root.GetProperty("uptime_seconds").GetDouble());
        Assert.Equal("2026-11-24T11:01:05.000Z", root.GetProperty("observed_at").GetString());
        Assert.Equal(0, root.GetProperty("jobs").GetArrayLength());
    }

    [Fact]
    public async Task Status_json_with_two_jobs()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.TwoJobs);

        (int code, string stdout, _) = await RunAsync(worker.SocketPath, json: true);

        Assert.Equal(ExitCodes.Running, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement[] jobs = [.. doc.RootElement.GetProperty("jobs").EnumerateArray()];
        Assert.Equal(2, jobs.Length);

        Assert.Equal(7, jobs[0].GetProperty("job").GetInt64());
        Assert.Equal("kmersearch.build_index", jobs[0].GetProperty("handler").GetString());
        Assert.Equal(5150, jobs[0].GetProperty("caller_pid").GetInt32());
        Assert.Equal(0.425, jobs[0].GetProperty("progress").GetDouble());
        Assert.Equal("2026-11-24T09:00:00.000Z", jobs[0].GetProperty("started_at").GetString());
        Assert.Equal(7265, jobs[0].GetProperty("running_seconds").GetDouble());

        Assert.Equal(12, jobs[1].GetProperty("job").GetInt64());
        Assert.Equal(JsonValueKind.Null, jobs[1].GetProperty("progress").ValueKind);
        Assert.Equal(95, jobs[1].GetProperty("running_seconds").GetDouble());
    }

    [Fact]
    public async Task Jobs_text_and_json_show_only_the_jobs()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.TwoJobs);

        (int code, string text, _) = await RunAsync(worker.SocketPath, jobsOnly: true);
        Assert.Equal(ExitCodes.Running, code);
        string[] lines = Lines(text);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("JOB  HANDLER", lines[0], StringComparison.Ordinal);

        (code, string json, _) = await RunAsync(worker.SocketPath, json: true, jobsOnly: true);
        Assert.Equal(ExitCodes.Running, code);
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.False(doc.RootElement.TryGetProperty("version", out _));
        Assert.Equal(2, doc.RootElement.GetProperty("jobs").GetArrayLength());
    }

    [Fact]
    public async Task Jobs_text_says_when_there_are_none()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.NoJobs);

        (int code, string stdout, _) = await RunAsync(worker.SocketPath, jobsOnly: true);

        Assert.Equal(ExitCodes.Running, code);
        Assert.Equal("no jobs running", stdout.TrimEnd());
    }

    [Fact]
    public async Task Hello_states_protocol_1_the_tool_and_its_pid()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.NoJobs);

        await RunAsync(worker.SocketPath);

        Hello hello = Assert.IsType<Hello>(worker.LastHello);
        Assert.Equal(ProtocolVersion.Current, hello.Protocol);
        Assert.StartsWith("kmer-cli ", hello.Client, StringComparison.Ordinal);
        Assert.Equal(Environment.ProcessId, hello.Pid);
    }

    [Fact]
    public async Task Socket_comes_from_the_environment_when_not_given()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.NoJobs);
        var service = new StatusService(new StatusProbe(new FixedTime()),
            name => name == WorkerSocket.EnvironmentVariable ? worker.SocketPath : null);
        var stdout = new StringWriter();

        int code = await service.RunAsync(new StatusOptions(null, false, Timeout, false), stdout, new StringWriter());

        Assert.Equal(ExitCodes.Running, code);
        Assert.Contains(worker.SocketPath, stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_socket_is_not_running()
    {
        string dir = TempDirectory.Create();
        try
        {
            string path = Path.Combine(dir, "none.sock");

            (int code, string stdout, string stderr) = await RunAsync(path);

            Assert.Equal(ExitCodes.NotRunning, code);
            Assert.Equal("", stdout);
            Assert.Equal(
                $"kmer-cli: socket {path} not found: is the worker running? (systemctl status kmer-worker, or shared_preload_libraries)",
                stderr.TrimEnd());
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Fact]
    public async Task Missing_socket_with_json_still_writes_an_object()
    {
        string path = Path.Combine(Path.GetTempPath(), "kmer-cli-absent", "none.sock");

        (int code, string stdout, string stderr) = await RunAsync(path, json: true);

        Assert.Equal(ExitCodes.NotRunning, code);
        Assert.NotEqual("", stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal("not_running", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(path, doc.RootElement.GetProperty("socket").GetString());
    }

    [Fact]
    public async Task Socket_nobody_listens_on_is_not_running()
    {
        string dir = TempDirectory.Create();
        string path = Path.Combine(dir, "stale.sock");
        // Bound but not listening: the socket file exists and connect(2) is refused,
        // as for a socket file left behind by a worker that died.
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            (int code, _, string stderr) = await RunAsync(path);

            Assert.Equal(ExitCodes.NotRunning, code);
            Assert.Contains($"nobody is listening on socket {path}", stderr, StringComparison.Ordinal);
            Assert.Contains("systemctl status kmer-worker", stderr, StringComparison.Ordinal);
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Fact]
    public async Task Error_28000_is_unreachable()
    {
        await using var worker = FakeWorker.ReplyingToHello(
            new Error(null, "28000", "user \"alice\" is not allowed to use the worker", Hint: "Add the user to kmer-worker's admin users."));

        (int code, string stdout, string stderr) = await RunAsync(worker.SocketPath);

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Equal("", stdout);
        string line = Assert.Single(Lines(stderr));
        Assert.Contains("refused kmer-cli: user \"alice\" is not allowed to use the worker (SQLSTATE 28000)", line, StringComparison.Ordinal);
        Assert.Contains("hint: Add the user to kmer-worker's admin users.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_mismatch_error_is_unreachable()
    {
        await using var worker = FakeWorker.ReplyingToHello(
            new Error(null, "08P01", "protocol version 1 is not supported\nthe worker speaks version 2"));

        (int code, _, string stderr) = await RunAsync(worker.SocketPath);

        Assert.Equal(ExitCodes.Unreachable, code);
        string line = Assert.Single(Lines(stderr));
        Assert.Contains("protocol version 1 is not supported the worker speaks version 2 (SQLSTATE 08P01)", line, StringComparison.Ordinal);
        Assert.Contains("install matching releases", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Welcome_with_another_protocol_version_is_unreachable()
    {
        await using var worker = FakeWorker.ReplyingToHello(new Welcome(2, "kmer-worker 2.0", 4321, PeerKind.Admin));

        (int code, _, string stderr) = await RunAsync(worker.SocketPath);

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("protocol version mismatch", stderr, StringComparison.Ordinal);
        Assert.Contains("kmer-cli speaks 1, the worker (kmer-worker 2.0) speaks 2", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silent_worker_times_out()
    {
        await using var worker = new FakeWorker(async (stream, ct) =>
        {
            // Read the hello, then never answer.
            await new FrameReader(stream).ReadMessageAsync(ct);
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
        });

        var clock = Stopwatch.StartNew();
        (int code, _, string stderr) = await RunAsync(worker.SocketPath, timeout: TimeSpan.FromSeconds(1));
        clock.Stop();

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains($"no answer from the worker on {worker.SocketPath} within 1 s", stderr, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Garbage_is_a_protocol_error()
    {
        await using var worker = FakeWorker.SendingBytes("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray());

        (int code, string stdout, string stderr) = await RunAsync(worker.SocketPath);

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Equal("", stdout);
        string line = Assert.Single(Lines(stderr));
        Assert.Contains($"protocol error talking to the worker on {worker.SocketPath}", line, StringComparison.Ordinal);
        Assert.Contains("08P01", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_answer_to_status_is_a_protocol_error()
    {
        await using var worker = FakeWorker.ReplyingToRequest(new Cancel(1));

        (int code, _, string stderr) = await RunAsync(worker.SocketPath);

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("expected \"status_result\", got \"cancel\"", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_closing_before_welcome_is_unreachable()
    {
        // Read the hello first: closing with unread data would reset the connection instead.
        await using var worker = new FakeWorker(async (stream, ct) => await new FrameReader(stream).ReadMessageAsync(ct));

        (int code, _, string stderr) = await RunAsync(worker.SocketPath);

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("closed the connection", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(
        string socketPath, bool json = false, bool jobsOnly = false, TimeSpan? timeout = null)
    {
        var service = new StatusService(new StatusProbe(new FixedTime()), _ => null);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await service.RunAsync(new StatusOptions(socketPath, json, timeout ?? Timeout, jobsOnly), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string[] Lines(string text) =>
        text.TrimEnd().Split('\n');
}
