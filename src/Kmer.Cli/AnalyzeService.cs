using Npgsql;

namespace Kmer.Cli;

/// <summary>
/// Runs <c>kmer-cli analyze</c> without the command-line framework.
/// <list type="number">
/// <item>Opens the analysing connection (exit 4 when it cannot) and a second
/// one for polling (without it the command still runs, showing the notices only).</item>
/// <item>Sets the given settings for the session and reads back the reported ones.</item>
/// <item>Calls <c>kmersearch_perform_highfreq_analysis(table, column)</c>
/// without a command timeout. Meanwhile the notices of that connection and,
/// every <see cref="AnalyzeOptions.PollInterval"/>, the row of
/// <c>kmersearch_worker_status()</c> whose <c>caller_pid</c> is the
/// analysing backend feed the <see cref="AnalyzeProgress"/>.</item>
/// <item>Writes the result and returns <see cref="AnalyzeExitCodes.Ok"/>; a
/// server error gives <see cref="AnalyzeExitCodes.SqlError"/>, a lost
/// connection <see cref="AnalyzeExitCodes.CannotConnect"/>, and cancelling the
/// token (Ctrl-C) cancels the statement (Npgsql sends PostgreSQL's cancel
/// request) and gives <see cref="AnalyzeExitCodes.Cancelled"/>.</item>
/// </list>
/// </summary>
public sealed class AnalyzeService
{
    private const string AnalyzeQuery =
        "SELECT total_rows, highfreq_kmers_count, parallel_workers_used, max_appearance_rate_used, max_appearance_nrow_used"
        + " FROM " + AnalyzeOptions.Function + "($1, $2)";

    private readonly TimeProvider _time;
    private readonly JobProgressPoller _poller;

    /// <summary>Creates the service.</summary>
    /// <param name="time">The clock of the progress display and the elapsed time; the system clock when null.</param>
    /// <param name="pollInterval">How often to ask for the job's progress; <see cref="AnalyzeOptions.PollInterval"/> when null.</param>
    public AnalyzeService(TimeProvider? time = null, TimeSpan? pollInterval = null)
    {
        _time = time ?? TimeProvider.System;
        _poller = new JobProgressPoller(_time, pollInterval ?? AnalyzeOptions.PollInterval);
    }

    /// <summary>Runs the command; returns one of <see cref="AnalyzeExitCodes"/>.</summary>
    public async Task<int> RunAsync(AnalyzeOptions options, AnalyzeConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        try
        {
            return await RunCoreAsync(options, console, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync("kmer-cli: cancelled; the analysis was stopped and its transaction rolled back").ConfigureAwait(false);
            if (options.Json)
            {
                AnalyzeReport.WriteFailureJson(console.Out, "cancelled", "cancelled by the user");
            }

            return AnalyzeExitCodes.Cancelled;
        }
    }

    /// <summary>The progress display for <paramref name="console"/>: a bar on a terminal, else timestamped lines.</summary>
    public AnalyzeProgress CreateProgress(AnalyzeOptions options, AnalyzeConsole console, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        TextWriter output = options.Json ? console.Error : console.Out;
        return console.ProgressIsTerminal
            ? new AnalyzeProgressBar(output, console.Width, start)
            : new AnalyzeProgressLines(output, _time.LocalTimeZone);
    }

    private async Task<int> RunCoreAsync(AnalyzeOptions options, AnalyzeConsole console, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection? connection = await CallConnection.OpenAsync(options.ConnectionString, options.Json, console, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return AnalyzeExitCodes.CannotConnect;
        }

        int backendPid = connection.ProcessID;
        IReadOnlyList<KeyValuePair<string, string?>> settings;
        try
        {
            foreach ((string name, string value) in options.Settings.ToSet())
            {
                await using var set = new NpgsqlCommand("SELECT set_config($1, $2, false)", connection);
                set.Parameters.AddWithValue(name);
                set.Parameters.AddWithValue(value);
                await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            settings = await ReadSettingsAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            return CallConnection.SqlError(options.Json, console, ex);
        }
        catch (NpgsqlException ex)
        {
            return CallConnection.Lost(options.ConnectionString, options.Json, console, backendPid, ex);
        }

        await using NpgsqlConnection? poll = await CallConnection.OpenProgressAsync(options.ConnectionString, console, cancellationToken).ConfigureAwait(false);
        DateTimeOffset start = _time.GetUtcNow();
        long started = _time.GetTimestamp();
        AnalyzeProgress progress = CreateProgress(options, console, start);
        connection.Notice += (_, e) => progress.OnNotice(new AnalyzeNotice(
            _time.GetUtcNow(), e.Notice.InvariantSeverity, e.Notice.MessageText, e.Notice.Detail, e.Notice.Hint));

        using var background = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task polling = poll is null ? Task.CompletedTask : _poller.PollAsync(poll, backendPid, AnalyzeOptions.Function, progress, background.Token);
        Task ticking = _poller.TickAsync(progress, background.Token);
        bool succeeded = false;
        try
        {
            AnalyzeResult result;
            try
            {
                result = await CallAsync(options, connection, settings, started, cancellationToken).ConfigureAwait(false);
                succeeded = true;
            }
            finally
            {
                await background.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(polling, ticking).ConfigureAwait(false);
                progress.Finish(_time.GetUtcNow(), succeeded);
            }

            if (options.Json)
            {
                AnalyzeReport.WriteJson(console.Out, result);
            }
            else
            {
                AnalyzeReport.WriteText(console.Out, result);
            }

            return AnalyzeExitCodes.Ok;
        }
        catch (PostgresException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return CallConnection.SqlError(options.Json, console, ex);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return CallConnection.Lost(options.ConnectionString, options.Json, console, backendPid, ex);
        }
        catch (InvalidOperationException ex) when (!cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync($"kmer-cli: {ex.Message}").ConfigureAwait(false);
            if (options.Json)
            {
                AnalyzeReport.WriteFailureJson(console.Out, "error", ex.Message);
            }

            return AnalyzeExitCodes.SqlError;
        }
    }

    private async Task<AnalyzeResult> CallAsync(
        AnalyzeOptions options, NpgsqlConnection connection, IReadOnlyList<KeyValuePair<string, string?>> settings, long started, CancellationToken cancellationToken)
    {
        // No command timeout: an analysis of a large table runs for as long as it needs; Ctrl-C stops it.
        await using var command = new NpgsqlCommand(AnalyzeQuery, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue(options.Table);
        command.Parameters.AddWithValue(options.Column);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(0))
        {
            throw new InvalidOperationException($"{AnalyzeOptions.Function} returned no result");
        }

        var result = new AnalyzeResult(
            options.Table,
            options.Column,
            reader.GetInt64(0),
            reader.GetInt32(1),
            reader.GetInt32(2),
            reader.GetFloat(3),
            reader.GetInt32(4),
            settings,
            _time.GetElapsedTime(started));
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
        }

        return result;
    }

    private static async Task<IReadOnlyList<KeyValuePair<string, string?>>> ReadSettingsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT name, current_setting(name, true) FROM unnest($1::text[]) WITH ORDINALITY AS s(name, n) ORDER BY n", connection);
        command.Parameters.AddWithValue(AnalyzeSettings.Reported.ToArray());
        List<KeyValuePair<string, string?>> settings = [];
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            settings.Add(new(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        return settings;
    }
}
