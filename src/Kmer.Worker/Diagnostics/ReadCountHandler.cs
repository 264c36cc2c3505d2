using Npgsql;

namespace Kmer.Worker.Diagnostics;

/// <summary>
/// <c>diagnostics.read_count(table text)</c>: counts the rows of
/// <c>table</c> (an already quoted, qualified name, spliced as it is) on a
/// worker session acting as the caller under the caller's snapshot
/// (<see cref="DatabaseSessions.OpenAsCallerAsync(HandlerContext, bool, CancellationToken)"/>);
/// returns the count (bigint). PostgreSQL's errors (e.g. 42501) end the call as raised.
/// </summary>
internal sealed class ReadCountHandler(DatabaseSessions sessions) : ICallHandler
{
    public const string HandlerName = "diagnostics.read_count";

    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        string table = DiagnosticArgs.Text(context, 0, "table");
        await using NpgsqlConnection session = await sessions.OpenAsCallerAsync(context, importSnapshot: true, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", session);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
