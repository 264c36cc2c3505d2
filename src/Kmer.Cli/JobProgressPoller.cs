using Npgsql;

namespace Kmer.Cli;

/// <summary>
/// Follows a bridged call's job from a second connection while the call runs:
/// samples <c>kmersearch_worker_status()</c> for the calling backend's job and
/// its progress, and ticks the progress display between samples. Used by
/// <c>analyze</c>, <c>partition</c>, <c>unpartition</c> and <c>index</c>.
/// </summary>
internal sealed class JobProgressPoller(TimeProvider time, TimeSpan pollInterval)
{
    /// <summary>The pool's status function.</summary>
    public const string StatusFunction = "kmersearch_worker_status";

    // The pool's own row (job NULL) gives its pid; the job of the calling backend, its progress.
    private const string PollQuery =
        "SELECT pid, job, progress, handler = $2 AS ours FROM " + StatusFunction + "()"
        + " WHERE job IS NULL OR caller_pid = $1";

    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Samples the job of <paramref name="callerPid"/> running <paramref name="handler"/> every interval until cancelled, the pool functions are missing, or the connection is lost.</summary>
    public async Task PollAsync(NpgsqlConnection poll, int callerPid, string handler, AnalyzeProgress progress, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(pollInterval, time);
        try
        {
            do
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(PollTimeout);
                try
                {
                    progress.OnSample(await SampleAsync(poll, callerPid, handler, attempt.Token).ConfigureAwait(false));
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.InvalidSchemaName)
                {
                    return;     // no worker pool functions in this database: the notices are all there is
                }
                catch (Exception ex) when ((ex is NpgsqlException or OperationCanceledException) && !cancellationToken.IsCancellationRequested)
                {
                    if (poll.State is not System.Data.ConnectionState.Open)
                    {
                        return;
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (NpgsqlException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<AnalyzeJobSample> SampleAsync(NpgsqlConnection poll, int callerPid, string handler, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PollQuery, poll);
        command.Parameters.AddWithValue(callerPid);
        command.Parameters.AddWithValue(handler);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        int? poolPid = null;
        long? job = null;
        double? fraction = null;
        bool ours = false;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.IsDBNull(1))
            {
                poolPid = reader.IsDBNull(0) ? null : reader.GetInt32(0);
                continue;
            }

            // The calling backend runs one statement; prefer its own handler's job if it runs others too.
            bool isOurs = !reader.IsDBNull(3) && reader.GetBoolean(3);
            if (job is null || (isOurs && !ours))
            {
                job = reader.GetInt64(1);
                fraction = reader.IsDBNull(2) ? null : reader.GetDouble(2);
                ours = isOurs;
            }
        }

        return new AnalyzeJobSample(time.GetUtcNow(), poolPid, job, fraction);
    }

    /// <summary>Lets the display move on its own between samples until cancelled.</summary>
    public async Task TickAsync(AnalyzeProgress progress, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(pollInterval, time);
        try
        {
            do
            {
                progress.OnTick(time.GetUtcNow());
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
