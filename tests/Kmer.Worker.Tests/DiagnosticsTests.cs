using Kmer.Protocol;
using Kmer.Worker.Diagnostics;

namespace Kmer.Worker.Tests;

/// <summary>The diagnostics.* handlers over a real socket (no database needed).</summary>
public sealed class DiagnosticsTests
{
    internal static Task<TestWorker> StartWithDiagnosticsAsync(params string[] args) =>
        TestWorker.StartAsync([$"--Worker:ServerUser={TestWorker.CurrentUser}", "--Worker:AdminUsers:0=", "--Worker:EnableDiagnosticHandlers=true", .. args]);

    private static async Task<BridgeMessage> CallAsync(TestWorker worker, string handler, params object?[] args)
    {
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, handler, 4242, args));
        return await caller.ReadAsync();
    }

    [Fact]
    public async Task DiagnosticsAreNotRegisteredByDefault()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        Assert.Equal("42883", Assert.IsType<Error>(await CallAsync(worker, EchoHandler.HandlerName, 1L)).SqlState);
    }

    [Fact]
    public async Task EchoReturnsEveryNativeUnchanged()
    {
        await using TestWorker worker = await StartWithDiagnosticsAsync();
        object?[] values =
        [
            null, true, false, 0L, -1L, long.MaxValue, long.MinValue, 1.5, double.NegativeInfinity, "", "ACGT — ü",
            new byte[] { 0, 1, 255 }, new object?[] { 1L, null, "x", new object?[] { 2.5, new byte[] { 7 } } }, Array.Empty<object?>(),
        ];

        foreach (object? value in values)
        {
            Result result = Assert.IsType<Result>(await CallAsync(worker, EchoHandler.HandlerName, value));
            Assert.Equal(value, result.Value);
        }
    }

    [Fact]
    public async Task RowsReturnsASetOfMaps()
    {
        await using TestWorker worker = await StartWithDiagnosticsAsync();

        object?[] rows = Assert.IsType<object?[]>(Assert.IsType<Result>(await CallAsync(worker, RowsHandler.HandlerName, 3L, "row")).Value);

        Assert.Equal(3, rows.Length);
        var second = Assert.IsType<Dictionary<string, object?>>(rows[1]);
        Assert.Equal(2L, second["i"]);
        Assert.Equal("row 2", second["label"]);
        Assert.Equal(1.0, second["half"]);
        Assert.Equal(true, second["even"]);
        Assert.Equal(new object?[] { "t2", null }, second["tags"]);
        Assert.Equal(0.5, Assert.IsType<Dictionary<string, object?>>(rows[0])["half"]);
        Assert.Empty(Assert.IsType<object?[]>(Assert.IsType<Result>(await CallAsync(worker, RowsHandler.HandlerName, 0L, "none")).Value));
        Assert.Equal("22023", Assert.IsType<Error>(await CallAsync(worker, RowsHandler.HandlerName, -1L, "bad")).SqlState);
        Assert.Equal("22004", Assert.IsType<Error>(await CallAsync(worker, RowsHandler.HandlerName, 1L, null)).SqlState);
        Assert.Equal("22023", Assert.IsType<Error>(await CallAsync(worker, RowsHandler.HandlerName, "3", "x")).SqlState);
    }

    [Fact]
    public async Task ContextDescribesTheCallersSession()
    {
        await using TestWorker worker = await StartWithDiagnosticsAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        Call call = FakeBackend.NewCallInDatabase(1, ContextHandler.HandlerName, 16384);
        await caller.SendAsync(call with { Context = call.Context with { Snapshot = "00000003-0000001B-1" } });

        var row = Assert.IsType<Dictionary<string, object?>>((await caller.ReadAsync<Result>()).Value);

        Assert.Equal("testdb", row["database"]);
        Assert.Equal("tester", row["user"]);
        Assert.Equal("public", row["search_path"]);
        Assert.Equal(4242L, row["backend_pid"]);
        Assert.Equal(16384L, row["database_oid"]);
        Assert.Equal("00000003-0000001B-1", row["snapshot"]);
        Assert.Equal(1L, row["setting_count"]);
        Assert.Equal("8", row["kmer_size"]);

        await caller.SendAsync(FakeBackend.NewCall(2, ContextHandler.HandlerName));
        var plain = Assert.IsType<Dictionary<string, object?>>((await caller.ReadAsync<Result>()).Value);
        Assert.Null(plain["database_oid"]);
        Assert.Null(plain["snapshot"]);
    }

    [Theory]
    [InlineData("debug", NoticeLevel.Debug, null, null)]
    [InlineData("INFO", NoticeLevel.Info, "a detail", null)]
    [InlineData("Notice", NoticeLevel.Notice, null, "a hint")]
    [InlineData("WARNING", NoticeLevel.Warning, "a detail", "a hint")]
    public async Task NoticeSendsThatNoticeAndReturnsNull(string level, NoticeLevel expected, string? detail, string? hint)
    {
        await using TestWorker worker = await StartWithDiagnosticsAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(9, NoticeHandler.HandlerName, 4242, level, "hello", detail, hint));

        Assert.Equal(new Notice(9, expected, "hello", detail, hint), await caller.ReadAsync<Notice>());
        Assert.Null((await caller.ReadAsync<Result>()).Value);
    }

    [Fact]
    public async Task NoticeWithAnUnknownLevelIs22023()
    {
        await using TestWorker worker = await StartWithDiagnosticsAsync();
        Assert.Equal("22023", Assert.IsType<Error>(await CallAsync(worker, NoticeHandler.HandlerName, "LOUD", "m", null, null)).SqlState);
    }

    [Fact]
    public async Task FailEndsTheCallWithTheGivenError()
    {
        await using TestWorker worker = await StartWithDiagnosticsAsync();

        Assert.Equal(new Error(1, "22P02", "bad input", "d", "h"), await CallAsync(worker, FailHandler.HandlerName, "22P02", "bad input", "d", "h"));
        Assert.Equal(new Error(1, "P0001", "no detail"), await CallAsync(worker, FailHandler.HandlerName, "P0001", "no detail", null, null));
        Assert.Equal("22023", Assert.IsType<Error>(await CallAsync(worker, FailHandler.HandlerName, "bad", "m", null, null)).SqlState);
    }

    [Fact]
    public async Task SleepReturnsTrue()
    {
        await using TestWorker worker = await StartWithDiagnosticsAsync();
        Assert.Equal(true, Assert.IsType<Result>(await CallAsync(worker, SleepHandler.HandlerName, 0.15)).Value);
        Assert.Equal(true, Assert.IsType<Result>(await CallAsync(worker, SleepHandler.HandlerName, 0L)).Value);
    }

    [Fact]
    public async Task SleepReportsProgressAndStopsOnCancel()
    {
        await using TestWorker worker = await StartWithDiagnosticsAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(4, SleepHandler.HandlerName, 4242, 30.0));
        await using FakeBackend observer = await worker.ConnectAndHelloAsync();

        JobInfo job;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            await Task.Delay(50);
            await observer.SendAsync(new StatusRequest());
            job = Assert.Single((await observer.ReadAsync<StatusResult>()).Jobs);
        }
        while (job.Progress is not > 0 && DateTime.UtcNow < deadline);

        Assert.Equal(SleepHandler.HandlerName, job.Handler);
        Assert.InRange(job.Progress!.Value, double.Epsilon, 0.5);

        var started = DateTime.UtcNow;
        await caller.SendAsync(new Cancel(4));
        Assert.Equal("57014", (await caller.ReadAsync<Error>()).SqlState);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        await worker.WaitForNoJobsAsync(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task SpiRunsTheStatementAndReturnsRowsAffected()
    {
        await using TestWorker worker = await StartWithDiagnosticsAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(2, Diagnostics.SpiHandler.HandlerName, 4242, "DELETE FROM t", false));

        SpiRequest spi = await caller.ReadAsync<SpiRequest>();
        Assert.Equal(new SpiRequest(2, 1, "DELETE FROM t", [], [], false), spi with { Params = [], ParamTypes = [] });
        Assert.Empty(spi.Params);
        Assert.Empty(spi.ParamTypes);
        await caller.SendAsync(new SpiResult(2, 1, 17, [], []));

        Assert.Equal(17L, (await caller.ReadAsync<Result>()).Value);
    }

    [Fact]
    public async Task SpiBatchSendsOneInsertPerBatchWithArrays()
    {
        await using TestWorker worker = await StartWithDiagnosticsAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(3, SpiBatchHandler.HandlerName, 4242, "public.\"Target\"", 2L, 3L));

        for (long batch = 0; batch < 2; batch++)
        {
            SpiRequest spi = await caller.ReadAsync<SpiRequest>();
            Assert.Equal(batch + 1, spi.Seq);
            Assert.Equal("INSERT INTO public.\"Target\" (id, label) SELECT * FROM unnest($1::int8[], $2::text[])", spi.Sql);
            Assert.Equal(["int8[]", "text[]"], spi.ParamTypes);
            Assert.False(spi.ReadOnly);
            long first = (batch * 3) + 1;
            Assert.Equal(new object?[] { first, first + 1, first + 2 }, spi.Params[0]);
            Assert.Equal(new object?[] { $"row {first}", $"row {first + 1}", $"row {first + 2}" }, spi.Params[1]);
            await caller.SendAsync(new SpiResult(3, spi.Seq, 3, [], []));
        }

        Assert.Equal(6L, (await caller.ReadAsync<Result>()).Value);
    }
}
