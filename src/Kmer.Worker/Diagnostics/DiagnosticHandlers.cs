using Microsoft.Extensions.DependencyInjection;

namespace Kmer.Worker.Diagnostics;

/// <summary>
/// The <c>diagnostics.*</c> handlers, for tests and benchmarks of the bridge
/// (<c>Worker:EnableDiagnosticHandlers</c>). They have no
/// <see cref="BridgedFunctionAttribute"/>: they are not part of the extension,
/// and tests declare them with <c>CREATE FUNCTION … LANGUAGE kmersearch_bridge AS 'diagnostics.echo'</c>.
/// </summary>
internal static class DiagnosticHandlers
{
    public static void Register(IServiceCollection services)
    {
        services.AddCallHandler<EchoHandler>(EchoHandler.HandlerName);
        services.AddCallHandler<RowsHandler>(RowsHandler.HandlerName);
        services.AddCallHandler<ContextHandler>(ContextHandler.HandlerName);
        services.AddCallHandler<NoticeHandler>(NoticeHandler.HandlerName);
        services.AddCallHandler<FailHandler>(FailHandler.HandlerName);
        services.AddCallHandler<SleepHandler>(SleepHandler.HandlerName);
        services.AddCallHandler<SpiHandler>(SpiHandler.HandlerName);
        services.AddCallHandler<SpiBatchHandler>(SpiBatchHandler.HandlerName);
        services.AddCallHandler<ReadCountHandler>(ReadCountHandler.HandlerName);
    }
}
