namespace Kmer.Worker.Diagnostics;

/// <summary><c>diagnostics.echo</c>: returns its first argument unchanged (any MessagePack native, arrays included).</summary>
internal sealed class EchoHandler : ICallHandler
{
    public const string HandlerName = "diagnostics.echo";

    public ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(DiagnosticArgs.Value(context, 0, "value"));
    }
}
