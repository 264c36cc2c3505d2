using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Kmer.Cli;

/// <summary>
/// Runs <c>kmer-cli partition</c>, <c>unpartition</c> and <c>index</c>
/// without the command-line framework, the way <c>analyze</c> runs
/// (<see cref="AnalyzeService"/>):
/// <list type="number">
/// <item>Opens the working connection (exit 4 when it cannot) and a second
/// one for polling (without it the command still runs, showing the notices only).</item>
/// <item>Sets the given settings for the session.</item>
/// <item>Calls the SQL function without a command timeout. Meanwhile the
/// notices the server relays on that connection and, every poll interval,
/// the row of <c>kmersearch_worker_status()</c> whose <c>caller_pid</c> is
/// the working backend feed an <see cref="AnalyzeProgress"/>: a bar on a
/// terminal, else timestamped lines.</item>
/// <item>Writes the outcome. A server error gives
/// <see cref="PartitionExitCodes.SqlError"/>, a lost connection
/// <see cref="PartitionExitCodes.CannotConnect"/>; cancelling the token
/// (Ctrl-C) cancels the statement (Npgsql sends PostgreSQL's cancel request)
/// and gives <see cref="PartitionExitCodes.Cancelled"/>; an index build in
/// which partitions failed gives <see cref="PartitionExitCodes.PartitionsFailed"/>.</item>
/// </list>
/// </summary>
public sealed class PartitionService
{
    private const string IndexQuery =
        "SELECT partition_name, index_name, rows_processed, execution_time_ms, worker_pid, success, error_message"
        + " FROM " + IndexOptions.Function + "($1, $2, $3)";

    private readonly TimeProvider _time;
    private readonly JobProgressPoller _poller;

    /// <summary>Creates the service.</summary>
    /// <param name="time">The clock of the progress display and the elapsed time; the system clock when null.</param>
    /// <param name="pollInterval">How often to ask for the job's progress; <see cref="AnalyzeOptions.PollInterval"/> when null.</param>
    public PartitionService(TimeProvider? time = null, TimeSpan? pollInterval = null)
    {
        _time = time ?? TimeProvider.System;
        _poller = new JobProgressPoller(_time, pollInterval ?? AnalyzeOptions.PollInterval);
    }

    /// <summary>Runs <c>partition</c> or <c>unpartition</c>; returns one of <see cref="PartitionExitCodes"/>.</summary>
    public Task<int> PartitionAsync(PartitionOptions options, AnalyzeConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var invocation = new Invocation<bool>(
            options.Command,
            options.Function,
            options.ConnectionString,
            new AnalyzeSettings(),
            options.Json,
            "the statement was cancelled and its transaction rolled back; the table is as it was",
            async (connection, token) =>
            {
                string sql = options.Partitions is null
                    ? $"SELECT {options.Function}($1, $2)"
                    : $"SELECT {options.Function}($1, $3, $2)";
                await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
                command.Parameters.Add(Text(options.Table));
                command.Parameters.Add(Text(options.Tablespace));
                if (options.Partitions is int n)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = n, NpgsqlDbType = NpgsqlDbType.Integer });
                }

                await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                return true;
            },
            (_, elapsed) =>
            {
                if (options.Json)
                {
                    PartitionReport.WriteJson(console.Out, options, elapsed);
                }
                else
                {
                    PartitionReport.WriteText(console.Out, options, elapsed);
                }

                return PartitionExitCodes.Ok;
            });
        return RunAsync(invocation, console, cancellationToken);
    }

    /// <summary>Runs <c>index</c>; returns one of <see cref="PartitionExitCodes"/>.</summary>
    public Task<int> IndexAsync(IndexOptions options, AnalyzeConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var invocation = new Invocation<List<IndexPartitionRow>>(
            "index",
            IndexOptions.Function,
            options.ConnectionString,
            options.Settings,
            options.Json,
            "the index builds were cancelled; partition indexes already built are kept, no partitioned index was created",
            async (connection, token) =>
            {
                await using var command = new NpgsqlCommand(IndexQuery, connection) { CommandTimeout = 0 };
                command.Parameters.Add(Text(options.Table));
                command.Parameters.Add(Text(options.Column));
                command.Parameters.Add(Text(options.Tablespace));
                List<IndexPartitionRow> rows = [];
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    rows.Add(new IndexPartitionRow(
                        reader.GetString(0),
                        reader.GetString(1),
                        reader.IsDBNull(2) ? 0 : reader.GetInt64(2),
                        reader.IsDBNull(3) ? 0 : reader.GetInt64(3),
                        reader.IsDBNull(4) ? null : reader.GetInt32(4),
                        !reader.IsDBNull(5) && reader.GetBoolean(5),
                        reader.IsDBNull(6) ? null : reader.GetString(6)));
                }

                return rows;
            },
            (rows, elapsed) =>
            {
                var result = new IndexResult(options.Table, options.Column, rows, elapsed);
                if (options.Json)
                {
                    IndexReport.WriteJson(console.Out, result);
                }
                else
                {
                    IndexReport.WriteText(console.Out, result);
                }

                return result.Failed == 0 ? PartitionExitCodes.Ok : PartitionExitCodes.PartitionsFailed;
            });
        return RunAsync(invocation, console, cancellationToken);
    }

    /// <summary>The progress display for <paramref name="console"/>: a bar on a terminal, else timestamped lines; on stderr with <paramref name="json"/>.</summary>
    public AnalyzeProgress CreateProgress(bool json, AnalyzeConsole console, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(console);
        TextWriter output = json ? console.Error : console.Out;
        return console.ProgressIsTerminal
            ? new AnalyzeProgressBar(output, console.Width, start)
            : new AnalyzeProgressLines(output, _time.LocalTimeZone);
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private async Task<int> RunAsync<T>(Invocation<T> invocation, AnalyzeConsole console, CancellationToken cancellationToken)
    {
        try
        {
            return await RunCoreAsync(invocation, console, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync($"kmer-cli: {invocation.Command}: cancelled; {invocation.CancelledMessage}").ConfigureAwait(false);
            if (invocation.Json)
            {
                AnalyzeReport.WriteFailureJson(console.Out, "cancelled", "cancelled by the user");
            }

            return PartitionExitCodes.Cancelled;
        }
    }

    private async Task<int> RunCoreAsync<T>(Invocation<T> invocation, AnalyzeConsole console, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection? connection = await CallConnection.OpenAsync(invocation.ConnectionString, invocation.Json, console, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return PartitionExitCodes.CannotConnect;
        }

        int backendPid = connection.ProcessID;
        try
        {
            foreach ((string name, string value) in invocation.Settings.ToSet())
            {
                await using var set = new NpgsqlCommand("SELECT set_config($1, $2, false)", connection);
                set.Parameters.AddWithValue(name);
                set.Parameters.AddWithValue(value);
                await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (PostgresException ex)
        {
            return CallConnection.SqlError(invocation.Json, console, ex);
        }
        catch (NpgsqlException ex)
        {
            return CallConnection.Lost(invocation.ConnectionString, invocation.Json, console, backendPid, ex);
        }

        await using NpgsqlConnection? poll = await CallConnection.OpenProgressAsync(invocation.ConnectionString, console, cancellationToken).ConfigureAwait(false);
        DateTimeOffset start = _time.GetUtcNow();
        long started = _time.GetTimestamp();
        AnalyzeProgress progress = CreateProgress(invocation.Json, console, start);
        connection.Notice += (_, e) => progress.OnNotice(new AnalyzeNotice(
            _time.GetUtcNow(), e.Notice.InvariantSeverity, e.Notice.MessageText, e.Notice.Detail, e.Notice.Hint));

        using var background = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task polling = poll is null ? Task.CompletedTask : _poller.PollAsync(poll, backendPid, invocation.Handler, progress, background.Token);
        Task ticking = _poller.TickAsync(progress, background.Token);
        bool succeeded = false;
        try
        {
            T value;
            try
            {
                value = await invocation.Execute(connection, cancellationToken).ConfigureAwait(false);
                succeeded = true;
            }
            finally
            {
                await background.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(polling, ticking).ConfigureAwait(false);
                progress.Finish(_time.GetUtcNow(), succeeded);
            }

            return invocation.Report(value, _time.GetElapsedTime(started));
        }
        catch (PostgresException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return CallConnection.SqlError(invocation.Json, console, ex);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return CallConnection.Lost(invocation.ConnectionString, invocation.Json, console, backendPid, ex);
        }
    }

    /// <summary>One command's call: the function, how to run it, how to report its value.</summary>
    private sealed record Invocation<T>(
        string Command,
        string Handler,
        string ConnectionString,
        AnalyzeSettings Settings,
        bool Json,
        string CancelledMessage,
        Func<NpgsqlConnection, CancellationToken, Task<T>> Execute,
        Func<T, TimeSpan, int> Report);
}
