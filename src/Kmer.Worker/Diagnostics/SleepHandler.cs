using System.Diagnostics;

namespace Kmer.Worker.Diagnostics;

/// <summary><c>diagnostics.sleep(seconds double precision)</c>: waits that long (cancellable), reporting progress every 100 ms; returns true.</summary>
internal sealed class SleepHandler : ICallHandler
{
    public const string HandlerName = "diagnostics.sleep";

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        double seconds = DiagnosticArgs.Double(context, 0, "seconds");
        if (double.IsNaN(seconds) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            throw new CallFailedException(DiagnosticArgs.InvalidParameterValue, "seconds must be a finite number");
        }

        var total = TimeSpan.FromSeconds(Math.Max(0, seconds));
        var clock = Stopwatch.StartNew();
        context.ReportProgress(total == TimeSpan.Zero ? 1 : 0);
        while (clock.Elapsed < total)
        {
            TimeSpan left = total - clock.Elapsed;
            await Task.Delay(left < Tick ? left : Tick, cancellationToken).ConfigureAwait(false);
            context.ReportProgress(Math.Min(1, clock.Elapsed / total));
        }

        return true;
    }
}
