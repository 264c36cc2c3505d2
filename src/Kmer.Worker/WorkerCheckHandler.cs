using System.Globalization;
using System.Security.Cryptography;
using Kmer.Protocol;
using Npgsql;

namespace Kmer.Worker;

/// <summary>
/// <c>kmersearch_worker_check()</c>: the worker's own view of the round trip
/// back to the caller's server, for <c>kmer-cli doctor</c>. One row per
/// check (<c>check_name</c>, <c>ok</c>, <c>detail</c>): <c>connect</c> (a
/// session as <c>Worker:DatabaseUser</c> at the call's target),
/// <c>set_role</c> (SET ROLE to the caller's role), <c>snapshot</c> (importing
/// the caller's exported snapshot; ok when the caller exported none),
/// <c>spill_directory</c> (exists or can be created, and is writable).
/// </summary>
/// <remarks>A failed check is a row with <c>ok</c> false and the reason, never an error; only cancellation ends the call early.</remarks>
[BridgedFunction(
    HandlerName,
    Returns = "TABLE(check_name text, ok boolean, detail text)",
    Comment = "Checks, from the worker pool's side, the way back to this server: connecting as the pool's database user, SET ROLE to the caller, "
        + "importing the caller's snapshot, and the pool's spill directory; one row per check, never an error.")]
public sealed class WorkerCheckHandler : ICallHandler
{
    /// <summary>The handler name the SQL function's body names.</summary>
    public const string HandlerName = "kmersearch_worker_check";

    private readonly DatabaseSessions _sessions;
    private readonly SpillDirectory _spill;

    /// <summary>Creates the handler.</summary>
    public WorkerCheckHandler(DatabaseSessions sessions, SpillDirectory spill)
    {
        _sessions = sessions;
        _spill = spill;
    }

    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        CallContext call = context.Call.Context;
        var rows = new List<Dictionary<string, object?>>();
        NpgsqlConnection? connection = null;
        try
        {
            DatabaseTarget? target = null;
            try
            {
                target = _sessions.TargetFor(call);
                connection = await _sessions.OpenAsync(target, cancellationToken).ConfigureAwait(false);
                rows.Add(Row("connect", true, $"connected to {target}, PostgreSQL {connection.ServerVersion}"));
            }
            catch (Exception ex) when (IsCheckFailure(ex, cancellationToken))
            {
                rows.Add(Row("connect", false, target is null ? Describe(ex) : $"{target}: {Describe(ex)}"));
            }

            if (connection is null)
            {
                rows.Add(Row("set_role", false, "not checked: no connection"));
            }
            else
            {
                try
                {
                    await DatabaseSessions.SetRoleAsync(connection, call.User, cancellationToken).ConfigureAwait(false);
                    rows.Add(Row("set_role", true, $"\"{target!.User}\" may act as \"{call.User}\""));
                }
                catch (Exception ex) when (IsCheckFailure(ex, cancellationToken))
                {
                    rows.Add(Row("set_role", false, $"SET ROLE {DatabaseSessions.QuoteIdentifier(call.User)} as \"{target!.User}\": {Describe(ex)}"));
                }
            }

            if (call.Snapshot is not string snapshot)
            {
                rows.Add(Row("snapshot", true, "no snapshot exported by the caller"));
            }
            else if (connection is null)
            {
                rows.Add(Row("snapshot", false, "not checked: no connection"));
            }
            else
            {
                try
                {
                    await DatabaseSessions.ImportSnapshotAsync(connection, snapshot, cancellationToken).ConfigureAwait(false);
                    rows.Add(Row("snapshot", true, $"imported snapshot {snapshot}"));
                }
                catch (Exception ex) when (IsCheckFailure(ex, cancellationToken))
                {
                    rows.Add(Row("snapshot", false, $"snapshot {snapshot}: {Describe(ex)}"));
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        rows.Add(CheckSpillDirectory());
        return rows;
    }

    private Dictionary<string, object?> CheckSpillDirectory()
    {
        string root = _spill.Root;
        string probe = Path.Combine(root, ".kmer-worker-check-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        try
        {
            _spill.EnsureRoot();
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
            return Row("spill_directory", true, $"{root} is writable");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return Row("spill_directory", false, $"{root}: {ex.Message}");
        }
    }

    private static bool IsCheckFailure(Exception exception, CancellationToken cancellationToken) =>
        !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private static string Describe(Exception exception) => exception switch
    {
        PostgresException pg => string.Create(CultureInfo.InvariantCulture, $"{pg.SqlState}: {pg.MessageText}"),
        CallFailedException failed when failed.Detail is not null => $"{failed.SqlState}: {failed.Message}. {failed.Detail}",
        CallFailedException failed => $"{failed.SqlState}: {failed.Message}",
        _ => exception.Message,
    };

    private static Dictionary<string, object?> Row(string check, bool ok, string detail) => new(StringComparer.Ordinal)
    {
        ["check_name"] = check,
        ["ok"] = ok,
        ["detail"] = detail,
    };
}
