using Kmer.Protocol;

namespace Kmer.Worker.Tests;

/// <summary>What the test handlers tell the tests: a call started, a call saw its cancellation.</summary>
internal sealed class TestSignals
{
    public TaskCompletionSource<Job> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<Job> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Sends a notice, reports progress 0.5, then waits until cancelled (or 30 s, and returns 1).</summary>
internal sealed class SlowHandler(TestSignals signals) : ICallHandler
{
    public const string Name = "test_slow";

    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        await context.SendNoticeAsync(NoticeLevel.Info, "slow handler started", cancellationToken: cancellationToken);
        context.ReportProgress(0.5);
        signals.Started.TrySetResult(context.Job);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            signals.Cancelled.TrySetResult(context.Job);
            throw;
        }

        return 1L;
    }
}

/// <summary>Fails with an unexpected exception.</summary>
internal sealed class ThrowingHandler : ICallHandler
{
    public const string Name = "test_throw";

    public ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the test handler broke");
}

/// <summary>Fails with a chosen SQLSTATE, detail and hint.</summary>
internal sealed class FailingHandler : ICallHandler
{
    public const string Name = "test_fail";

    public ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken) =>
        throw new CallFailedException("22023", "k-mer size 99 is out of range", "It must be between 4 and 64.", "Set kmersearch.kmer_size.");
}
