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

/// <summary>
/// Runs <c>args[0]</c> SPI statements (default 1), one after the other, each
/// <c>SELECT $1::int8</c> with the statement's number, and returns the first
/// value of each result; signals when it starts waiting and when cancelled.
/// </summary>
internal sealed class SpiHandler(TestSignals signals) : ICallHandler
{
    public const string Name = "test_spi";

    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        long count = context.Call.Args.Count > 0 ? (long)context.Call.Args[0]! : 1;
        var values = new List<object?>();
        signals.Started.TrySetResult(context.Job);
        try
        {
            for (long i = 1; i <= count; i++)
            {
                SpiResult result = await context.ExecuteSpiAsync("SELECT $1::int8", [i], ["int8"], readOnly: true, cancellationToken);
                values.Add(result.Rows.Count > 0 ? result.Rows[0][0] : null);
            }
        }
        catch (OperationCanceledException)
        {
            signals.Cancelled.TrySetResult(context.Job);
            throw;
        }

        return values;
    }
}

/// <summary>Starts a second SPI request while the first waits; returns the second's exception message after the first's answer.</summary>
internal sealed class ConcurrentSpiHandler : ICallHandler
{
    public const string Name = "test_spi_concurrent";

    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        ValueTask<SpiResult> first = context.ExecuteSpiAsync("SELECT 1", readOnly: true, cancellationToken);
        string outcome;
        try
        {
            await context.ExecuteSpiAsync("SELECT 2", readOnly: true, cancellationToken);
            outcome = "the second request was sent";
        }
        catch (InvalidOperationException ex)
        {
            outcome = ex.Message;
        }

        await first;
        return outcome;
    }
}

/// <summary>Catches the failure of its SPI statement, tries another one, and returns what that second attempt threw.</summary>
internal sealed class SpiCatchingHandler : ICallHandler
{
    public const string Name = "test_spi_catch";

    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        try
        {
            await context.ExecuteSpiAsync("INSERT INTO t VALUES (1)", readOnly: false, cancellationToken);
        }
        catch (SpiFailedException)
        {
        }

        try
        {
            await context.ExecuteSpiAsync("SELECT 1", readOnly: true, cancellationToken);
            return "second request sent";
        }
        catch (SpiFailedException ex)
        {
            return ex.SqlState;
        }
    }
}

/// <summary>Fails as a worker session would when PostgreSQL raises an error.</summary>
internal sealed class PostgresFailingHandler : ICallHandler
{
    public const string Name = "test_postgres_fail";

    public ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken) =>
        throw new Npgsql.PostgresException("permission denied for table counted", "ERROR", "ERROR", "42501", detail: "some detail", hint: "some hint");
}
