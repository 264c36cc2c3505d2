using Kmer.Protocol;

namespace Kmer.Worker.Tests;

public sealed class CallTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task StatusListsARunningJob()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, SlowHandler.Name, backendPid: 4242));
        Assert.Equal("slow handler started", (await caller.ReadAsync<Notice>()).Message);
        await worker.Signals.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await using FakeBackend observer = await worker.ConnectAndHelloAsync();
        await observer.SendAsync(new StatusRequest());
        StatusResult status = await observer.ReadAsync<StatusResult>();

        Assert.Equal(Environment.ProcessId, status.Pid);
        Assert.Equal(2, status.Connections);
        Assert.True(status.MemoryBytes > 0);
        JobInfo job = Assert.Single(status.Jobs);
        Assert.Equal(SlowHandler.Name, job.Handler);
        Assert.Equal(4242, job.CallerPid);
        Assert.Equal(0.5, job.Progress);
        Assert.True(job.StartedAt >= status.StartedAt);
    }

    [Fact]
    public async Task CancelEndsTheCallWith57014AndRemovesTheJob()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(7, SlowHandler.Name));
        await caller.ReadAsync<Notice>();
        await worker.Signals.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(worker.Jobs.Snapshot());

        await caller.SendAsync(new Cancel(7));
        Error error = await caller.ReadAsync<Error>();

        Assert.Equal(7, error.Id);
        Assert.Equal("57014", error.SqlState);
        await worker.WaitForNoJobsAsync(OneSecond);

        // The connection stays usable after a cancelled call.
        await caller.SendAsync(new StatusRequest());
        Assert.Empty((await caller.ReadAsync<StatusResult>()).Jobs);
    }

    [Fact]
    public async Task AdminCancelJobEndsACallOfAnotherConnectionWith57014()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(11, SlowHandler.Name));
        await caller.ReadAsync<Notice>();
        Job job = await worker.Signals.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await using FakeBackend admin = await worker.ConnectAsAdminAndHelloAsync();
        await admin.SendAsync(new StatusRequest());
        Assert.Equal(job.Id, Assert.Single((await admin.ReadAsync<StatusResult>()).Jobs).Job);

        await admin.SendAsync(new CancelJob(job.Id));
        Assert.Equal(new CancelJobResult(job.Id, Cancelled: true), await admin.ReadAsync<CancelJobResult>());

        Error error = await caller.ReadAsync<Error>().WaitAsync(OneSecond);
        Assert.Equal(11, error.Id);
        Assert.Equal("57014", error.SqlState);
        await worker.Signals.Cancelled.Task.WaitAsync(OneSecond);
        await worker.WaitForNoJobsAsync(OneSecond);

        await admin.SendAsync(new StatusRequest());
        Assert.Empty((await admin.ReadAsync<StatusResult>()).Jobs);

        // Both connections stay usable; the job is gone, so cancelling it again finds nothing.
        await admin.SendAsync(new CancelJob(job.Id));
        Assert.False((await admin.ReadAsync<CancelJobResult>()).Cancelled);
        await caller.SendAsync(new StatusRequest());
        Assert.Empty((await caller.ReadAsync<StatusResult>()).Jobs);
    }

    [Fact]
    public async Task ServerPeerMayCancelAJobOfAnotherConnection()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, SlowHandler.Name));
        await caller.ReadAsync<Notice>();
        Job job = await worker.Signals.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await using FakeBackend other = await worker.ConnectAndHelloAsync();
        await other.SendAsync(new CancelJob(job.Id));
        Assert.True((await other.ReadAsync<CancelJobResult>()).Cancelled);
        Assert.Equal("57014", (await caller.ReadAsync<Error>().WaitAsync(OneSecond)).SqlState);
        await worker.WaitForNoJobsAsync(OneSecond);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(999_999L)]
    [InlineData(-5L)]
    public async Task CancelJobOfAnUnknownIdAnswersNotCancelled(long id)
    {
        await using TestWorker worker = await TestWorker.StartAsAdminAsync();
        await using FakeBackend admin = await worker.ConnectAndHelloAsync();

        await admin.SendAsync(new CancelJob(id));
        Assert.Equal(new CancelJobResult(id, Cancelled: false), await admin.ReadAsync<CancelJobResult>());

        // The connection stays open and usable.
        await admin.SendAsync(new StatusRequest());
        Assert.Empty((await admin.ReadAsync<StatusResult>()).Jobs);
    }

    [Fact]
    public async Task DroppingTheConnectionCancelsTheJob()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, SlowHandler.Name));
        await worker.Signals.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        caller.Drop();

        await worker.Signals.Cancelled.Task.WaitAsync(OneSecond);
        await worker.WaitForNoJobsAsync(OneSecond);
        await caller.DisposeAsync();
    }

    [Fact]
    public async Task UnknownHandlerIs42883()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(3, "no_such_handler"));

        Error error = await caller.ReadAsync<Error>();
        Assert.Equal(3, error.Id);
        Assert.Equal("42883", error.SqlState);
        Assert.Contains("no_such_handler", error.Message, StringComparison.Ordinal);
        Assert.Empty(worker.Jobs.Snapshot());
    }

    [Fact]
    public async Task AdminPeerMayNotCall()
    {
        await using TestWorker worker = await TestWorker.StartAsAdminAsync();
        await using FakeBackend admin = await worker.ConnectAndHelloAsync();
        await admin.SendAsync(FakeBackend.NewCall(1, WorkerStatusHandler.HandlerName));

        Error error = await admin.ReadAsync<Error>();
        Assert.Equal(1, error.Id);
        Assert.Equal("42501", error.SqlState);
        Assert.Contains("may only query status", error.Message, StringComparison.Ordinal);

        // Status is still allowed.
        await admin.SendAsync(new StatusRequest());
        await admin.ReadAsync<StatusResult>();
    }

    [Fact]
    public async Task HandlerExceptionIsXX000WithItsMessage()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, ThrowingHandler.Name));

        Error error = await caller.ReadAsync<Error>();
        Assert.Equal("XX000", error.SqlState);
        Assert.Equal("the test handler broke", error.Message);
        await worker.WaitForNoJobsAsync(OneSecond);
    }

    [Fact]
    public async Task CallFailedExceptionCrossesWithItsSqlStateDetailAndHint()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, FailingHandler.Name));

        Error error = await caller.ReadAsync<Error>();
        Assert.Equal(new Error(1, "22023", "k-mer size 99 is out of range", "It must be between 4 and 64.", "Set kmersearch.kmer_size."), error);
    }

    [Fact]
    public async Task PostgresExceptionCrossesWithItsSqlStateMessageDetailAndHint()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(2, PostgresFailingHandler.Name));

        Error error = await caller.ReadAsync<Error>();
        Assert.Equal(new Error(2, "42501", "permission denied for table counted", "some detail", "some hint"), error);
    }

    [Fact]
    public async Task WorkerStatusReturnsThePoolRowThenOneRowPerJob()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend busy = await worker.ConnectAndHelloAsync();
        await busy.SendAsync(FakeBackend.NewCall(1, SlowHandler.Name, backendPid: 1111));
        await worker.Signals.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(5, WorkerStatusHandler.HandlerName, backendPid: 2222));
        Result result = await caller.ReadAsync<Result>();

        Assert.Equal(5, result.Id);
        object?[] rows = Assert.IsType<object?[]>(result.Value);
        Assert.Equal(3, rows.Length);
        string[] columns = ["version", "pid", "uptime_seconds", "job", "handler", "caller_pid", "progress", "started_at"];
        var maps = rows.Select(r => Assert.IsType<Dictionary<string, object?>>(r)).ToArray();
        foreach (Dictionary<string, object?> row in maps)
        {
            Assert.Equal(columns.Order(), row.Keys.Order());
            Assert.Equal((long)Environment.ProcessId, row["pid"]);
            Assert.IsType<string>(row["version"]);
            Assert.True(Assert.IsType<double>(row["uptime_seconds"]) >= 0);
        }

        Dictionary<string, object?> pool = maps[0];
        Assert.All(new[] { "job", "handler", "caller_pid", "progress", "started_at" }, c => Assert.Null(pool[c]));

        Assert.Equal(SlowHandler.Name, maps[1]["handler"]);
        Assert.Equal(1111L, maps[1]["caller_pid"]);
        Assert.Equal(0.5, maps[1]["progress"]);
        Assert.IsType<string>(maps[1]["started_at"]);

        Assert.Equal(WorkerStatusHandler.HandlerName, maps[2]["handler"]);
        Assert.Equal(2222L, maps[2]["caller_pid"]);
        Assert.Null(maps[2]["progress"]);
        Assert.True((long)maps[2]["job"]! > (long)maps[1]["job"]!);
    }

    [Fact]
    public async Task WorkerStatusWhenIdleIsThePoolRowAndItself()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, WorkerStatusHandler.HandlerName));

        object?[] rows = Assert.IsType<object?[]>((await caller.ReadAsync<Result>()).Value);
        Assert.Equal(2, rows.Length);
        Assert.Null(Assert.IsType<Dictionary<string, object?>>(rows[0])["job"]);
        Assert.Equal(WorkerStatusHandler.HandlerName, Assert.IsType<Dictionary<string, object?>>(rows[1])["handler"]);
        await worker.WaitForNoJobsAsync(OneSecond);
    }

    [Fact]
    public async Task StoppingTheWorkerEndsRunningCallsWith57P01()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(9, SlowHandler.Name));
        await worker.Signals.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await caller.ReadAsync<Notice>();

        Task stop = worker.StopAsync();
        Error error = await caller.ReadAsync<Error>();
        await stop.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(9, error.Id);
        Assert.Equal("57P01", error.SqlState);
        await caller.AssertClosedAsync();
        Assert.False(File.Exists(worker.SocketPath));
    }
}
