using System.Text.Json;
using Kmer.Protocol;

namespace Kmer.Cli.Tests;

public sealed class CancelServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Cancelling_a_running_job_exits_0()
    {
        await using var worker = FakeWorker.CancellingJobs(7, 12);

        (int code, string stdout, string stderr) = await RunAsync(worker.SocketPath, 12);

        Assert.Equal(ExitCodes.Running, code);
        Assert.Equal("cancelled job 12", stdout.TrimEnd());
        Assert.Equal("", stderr);
        Assert.Equal(new CancelJob(12), worker.LastCancelJob);
        Assert.StartsWith("kmer-cli ", Assert.IsType<Hello>(worker.LastHello).Client, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_an_unknown_job_exits_1()
    {
        await using var worker = FakeWorker.CancellingJobs(7);

        (int code, string stdout, string stderr) = await RunAsync(worker.SocketPath, 8);

        Assert.Equal(ExitCodes.NoSuchJob, code);
        Assert.Equal(1, code);
        Assert.Equal("no running job 8", stdout.TrimEnd());
        Assert.Equal("", stderr);
    }

    [Theory]
    [InlineData(7L, true, "cancelled", ExitCodes.Running)]
    [InlineData(9L, false, "no_such_job", ExitCodes.NoSuchJob)]
    public async Task Json_reports_the_outcome(long job, bool cancelled, string status, int expectedCode)
    {
        await using var worker = FakeWorker.CancellingJobs(7);

        (int code, string stdout, _) = await RunAsync(worker.SocketPath, job, json: true);

        Assert.Equal(expectedCode, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(status, root.GetProperty("status").GetString());
        Assert.Equal(worker.SocketPath, root.GetProperty("socket").GetString());
        Assert.Equal(job, root.GetProperty("job").GetInt64());
        Assert.Equal(cancelled, root.GetProperty("cancelled").GetBoolean());
    }

    [Fact]
    public async Task Missing_socket_is_not_running_also_in_json()
    {
        string path = Path.Combine(Path.GetTempPath(), "kmer-cli-absent", "none.sock");

        (int code, string stdout, string stderr) = await RunAsync(path, 3, json: true);

        Assert.Equal(ExitCodes.NotRunning, code);
        Assert.Contains($"socket {path} not found", stderr, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal("not_running", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("job").GetInt64());
    }

    [Fact]
    public async Task A_worker_that_does_not_know_cancel_job_is_unreachable()
    {
        // An older worker: welcome, then a protocol error for the unknown message type.
        await using var worker = FakeWorker.ReplyingToRequest(new Error(null, "08P01", "unknown bridge message type \"cancel_job\""));

        (int code, string stdout, string stderr) = await RunAsync(worker.SocketPath, 5);

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Equal("", stdout);
        Assert.Contains("reported a protocol error: unknown bridge message type \"cancel_job\" (SQLSTATE 08P01)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_about_another_job_is_a_protocol_error()
    {
        await using var worker = FakeWorker.ReplyingToRequest(new CancelJobResult(99, true));

        (int code, _, string stderr) = await RunAsync(worker.SocketPath, 5);

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("asked to cancel job 5, the answer is about job 99", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_answer_type_is_a_protocol_error()
    {
        await using var worker = FakeWorker.ReplyingToRequest(FakeWorker.NoJobs);

        (int code, _, string stderr) = await RunAsync(worker.SocketPath, 5);

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("expected \"cancel_job_result\", got \"status_result\"", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string socketPath, long job, bool json = false)
    {
        var service = new CancelService(_ => null);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await service.RunAsync(new CancelOptions(socketPath, json, Timeout, job), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
