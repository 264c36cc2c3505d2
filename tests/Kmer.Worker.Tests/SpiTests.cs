using Kmer.Protocol;

namespace Kmer.Worker.Tests;

/// <summary>SPI requests from handlers: routing of answers by call id and seq, errors, stale answers, cancellation.</summary>
public sealed class SpiTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task SpiResultsReachTheWaitingCallInSeqOrder()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(4, SpiHandler.Name, 4242, 3L));

        for (long seq = 1; seq <= 3; seq++)
        {
            SpiRequest spi = await caller.ReadAsync<SpiRequest>();
            Assert.Equal(4, spi.Id);
            Assert.Equal(seq, spi.Seq);
            Assert.Equal("SELECT $1::int8", spi.Sql);
            Assert.Equal<object?>([seq], spi.Params);
            Assert.Equal(["int8"], spi.ParamTypes);
            Assert.True(spi.ReadOnly);
            await caller.SendAsync(new SpiResult(4, seq, 1, ["int8"], [[seq * 10]]));
        }

        Result result = await caller.ReadAsync<Result>();
        Assert.Equal(4, result.Id);
        Assert.Equal<object?>([10L, 20L, 30L], Assert.IsType<object?[]>(result.Value));
        await worker.WaitForNoJobsAsync(OneSecond);
    }

    [Fact]
    public async Task SpiErrorEndsTheCallWithExactlyThatError()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(2, SpiHandler.Name));
        SpiRequest spi = await caller.ReadAsync<SpiRequest>();

        await caller.SendAsync(new SpiError(2, spi.Seq, "42P01", "relation \"t\" does not exist", "some detail", "some hint"));

        Assert.Equal(new Error(2, "42P01", "relation \"t\" does not exist", "some detail", "some hint"), await caller.ReadAsync<Error>());
        await worker.WaitForNoJobsAsync(OneSecond);
    }

    [Fact]
    public async Task CaughtSpiErrorStillEndsTheCallWithItAndLaterRequestsAreNotSent()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(3, SpiCatchingHandler.Name));
        SpiRequest spi = await caller.ReadAsync<SpiRequest>();
        Assert.False(spi.ReadOnly);

        await caller.SendAsync(new SpiError(3, spi.Seq, "23505", "duplicate key value violates unique constraint \"t_pkey\""));

        // The handler returned a value, but the caller's transaction is aborted: no second spi, the first error ends the call.
        Assert.Equal(new Error(3, "23505", "duplicate key value violates unique constraint \"t_pkey\""), await caller.ReadAsync<Error>());
    }

    [Fact]
    public async Task OnlyOneSpiRequestMayBeOutstanding()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, ConcurrentSpiHandler.Name));
        SpiRequest spi = await caller.ReadAsync<SpiRequest>();
        Assert.Equal(1, spi.Seq);

        await caller.SendAsync(new SpiResult(1, 1, 0, [], []));

        string outcome = Assert.IsType<string>((await caller.ReadAsync<Result>()).Value);
        Assert.Contains("only one SPI request outstanding", outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswersNobodyWaitsForAreIgnored()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(5, SpiHandler.Name));
        SpiRequest spi = await caller.ReadAsync<SpiRequest>();

        // Another seq of the same call, an unknown call, and an error for an unknown call: all dropped.
        await caller.SendAsync(new SpiResult(5, spi.Seq + 1, 1, ["x"], [[99L]]));
        await caller.SendAsync(new SpiResult(77, 1, 1, ["x"], [[99L]]));
        await caller.SendAsync(new SpiError(77, 1, "42P01", "nope"));
        await caller.SendAsync(new SpiResult(5, spi.Seq, 1, ["x"], [[1L]]));

        Assert.Equal<object?>([1L], Assert.IsType<object?[]>((await caller.ReadAsync<Result>()).Value));
    }

    [Fact]
    public async Task CancelWhileWaitingEndsWith57014AndTheLateAnswerIsIgnored()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(6, SpiHandler.Name));
        SpiRequest spi = await caller.ReadAsync<SpiRequest>();

        await caller.SendAsync(new Cancel(6));

        Assert.Equal("57014", (await caller.ReadAsync<Error>()).SqlState);
        await worker.Signals.Cancelled.Task.WaitAsync(OneSecond);
        await worker.WaitForNoJobsAsync(OneSecond);

        // The backend's answer crossed the cancel: dropped, and the connection stays usable.
        await caller.SendAsync(new SpiResult(6, spi.Seq, 1, ["x"], [[1L]]));
        await caller.SendAsync(new SpiError(6, spi.Seq, "57014", "canceling statement due to user request"));
        await caller.SendAsync(new StatusRequest());
        Assert.Empty((await caller.ReadAsync<StatusResult>()).Jobs);

        // A new call with the same id starts its seq at 1 again.
        await caller.SendAsync(FakeBackend.NewCall(6, SpiHandler.Name));
        Assert.Equal(1, (await caller.ReadAsync<SpiRequest>()).Seq);
        await caller.SendAsync(new SpiResult(6, 1, 1, ["x"], [[2L]]));
        Assert.Equal<object?>([2L], Assert.IsType<object?[]>((await caller.ReadAsync<Result>()).Value));
    }

    [Fact]
    public async Task ClosingTheConnectionWhileWaitingCancelsTheCall()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, SpiHandler.Name));
        await caller.ReadAsync<SpiRequest>();

        caller.Drop();

        await worker.Signals.Cancelled.Task.WaitAsync(OneSecond);
        await worker.WaitForNoJobsAsync(OneSecond);
        await caller.DisposeAsync();
    }
}
