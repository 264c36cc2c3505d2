using Npgsql;
using NpgsqlTypes;

namespace Kmer.Worker.Analysis;

/// <summary>
/// Opens the readers' sessions: each acts as the caller, reads under the
/// caller's exported snapshot, and holds ACCESS SHARE on the table (and its
/// partitions) before the caller takes its EXCLUSIVE lock.
/// </summary>
/// <remarks>
/// Taking the readers' locks first matters: the caller waits for its readers
/// on the socket, where PostgreSQL's deadlock detector cannot see it. If a
/// reader asked for its lock after the caller's EXCLUSIVE lock, a session
/// queueing for ACCESS EXCLUSIVE in between (ALTER TABLE, VACUUM FULL) would
/// make the reader wait behind it while it waits for the caller: a deadlock
/// only a timeout or a cancel would end. Locked first, the readers are never
/// queued behind anyone. The caller's <c>lock_timeout</c> applies to them.
/// Without an exported snapshot (the caller is in a subtransaction, where
/// none can be exported) each session begins its own REPEATABLE READ READ
/// ONLY transaction, whose snapshot is taken at its first read, after the
/// caller's lock: the readers then see the latest committed rows, which the
/// lock keeps unchanged.
/// </remarks>
internal static class ReaderSessions
{
    /// <summary>Opens <paramref name="count"/> sessions in parallel; on any failure closes the others and throws the first error.</summary>
    public static async Task<List<NpgsqlConnection>> OpenAsync(
        DatabaseSessions sessions, HandlerContext context, ResolvedTable table, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(table);
        var opening = new Task<NpgsqlConnection>[count];
        for (int i = 0; i < count; i++)
        {
            opening[i] = OpenOneAsync(sessions, context, table, cancellationToken);
        }

        try
        {
            await Task.WhenAll(opening).ConfigureAwait(false);
        }
        catch
        {
            foreach (Task<NpgsqlConnection> task in opening)
            {
                if (task.IsCompletedSuccessfully)
                {
                    await task.Result.DisposeAsync().ConfigureAwait(false);
                }
            }

            // The first failed or cancelled session's error, in session order.
            await opening.First(t => !t.IsCompletedSuccessfully).ConfigureAwait(false);
            throw;
        }

        return [.. opening.Select(t => t.Result)];
    }

    /// <summary>Closes the sessions (returning them to the pool, which rolls back and resets them).</summary>
    public static async Task CloseAsync(IReadOnlyList<NpgsqlConnection> connections)
    {
        ArgumentNullException.ThrowIfNull(connections);
        foreach (NpgsqlConnection connection in connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<NpgsqlConnection> OpenOneAsync(
        DatabaseSessions sessions, HandlerContext context, ResolvedTable table, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection = await sessions.OpenAsCallerAsync(context, importSnapshot: true, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var batch = new NpgsqlBatch(connection);
            if (context.Call.Context.Snapshot is null)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
            }

            if (context.Call.Context.Settings.TryGetValue("lock_timeout", out string? lockTimeout))
            {
                var setting = new NpgsqlBatchCommand("SELECT pg_catalog.set_config('lock_timeout', $1, true)");
                setting.Parameters.Add(new NpgsqlParameter { Value = lockTimeout, NpgsqlDbType = NpgsqlDbType.Text });
                batch.BatchCommands.Add(setting);
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand($"LOCK TABLE {table.Quoted} IN ACCESS SHARE MODE"));
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
