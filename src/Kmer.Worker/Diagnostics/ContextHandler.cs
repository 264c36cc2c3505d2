using Kmer.Protocol;

namespace Kmer.Worker.Diagnostics;

/// <summary>
/// <c>diagnostics.context()</c>: one row describing the call's context:
/// <c>database</c>, <c>user</c>, <c>search_path</c>, <c>backend_pid</c>,
/// <c>database_oid</c> (NULL when not sent), <c>snapshot</c>,
/// <c>setting_count</c>, <c>kmer_size</c> (the <c>kmersearch.kmer_size</c> setting).
/// </summary>
internal sealed class ContextHandler : ICallHandler
{
    public const string HandlerName = "diagnostics.context";

    public ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CallContext call = context.Call.Context;
        return ValueTask.FromResult<object?>(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["database"] = call.Database,
            ["user"] = call.User,
            ["search_path"] = call.SearchPath,
            ["backend_pid"] = (long)call.BackendPid,
            ["database_oid"] = call.DatabaseOid,
            ["snapshot"] = call.Snapshot,
            ["setting_count"] = (long)call.Settings.Count,
            ["kmer_size"] = call.Settings.GetValueOrDefault("kmersearch.kmer_size"),
        });
    }
}
