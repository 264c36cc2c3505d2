using System.Globalization;
using Npgsql;

namespace Kmer.Cli;

/// <summary>
/// The connections of the commands that run one bridged call (<c>analyze</c>,
/// <c>partition</c>, <c>unpartition</c>, <c>index</c>) and how their failures
/// are reported: on stderr, and as one JSON object on stdout with <c>--json</c>.
/// </summary>
internal static class CallConnection
{
    /// <summary>Opens the call's connection, or reports why it cannot be opened and returns null.</summary>
    public static async Task<NpgsqlConnection?> OpenAsync(string connectionString, bool json, AnalyzeConsole console, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            string where = AnalyzeConnection.Describe(connectionString);
            string reason = ex is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : ex.Message;
            await console.Error.WriteLineAsync($"kmer-cli: cannot connect to PostgreSQL ({where}): {reason.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            if (json)
            {
                AnalyzeReport.WriteFailureJson(console.Out, "cannot_connect", $"cannot connect ({where}): {reason}");
            }

            return null;
        }
    }

    /// <summary>
    /// Opens the second connection that follows the call's progress, or says
    /// on stderr why there is none and returns null: the call still runs, and
    /// the display then has its notices only.
    /// </summary>
    public static async Task<NpgsqlConnection?> OpenProgressAsync(string connectionString, AnalyzeConsole console, CancellationToken cancellationToken)
    {
        var poll = new NpgsqlConnection(connectionString);
        try
        {
            await poll.OpenAsync(cancellationToken).ConfigureAwait(false);
            return poll;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            await poll.DisposeAsync().ConfigureAwait(false);
            await console.Error.WriteLineAsync($"kmer-cli: no progress from {JobProgressPoller.StatusFunction}(): cannot open a second connection: {ex.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Reports an error the server raised; returns <see cref="AnalyzeExitCodes.SqlError"/>.</summary>
    public static int SqlError(bool json, AnalyzeConsole console, PostgresException exception)
    {
        AnalyzeReport.WriteSqlError(console.Error, exception);
        if (json)
        {
            AnalyzeReport.WriteFailureJson(console.Out, "error", exception.MessageText, exception);
        }

        return AnalyzeExitCodes.SqlError;
    }

    /// <summary>Reports a connection lost during the call; returns <see cref="AnalyzeExitCodes.CannotConnect"/>.</summary>
    public static int Lost(string connectionString, bool json, AnalyzeConsole console, int backendPid, NpgsqlException exception)
    {
        string message = string.Create(CultureInfo.InvariantCulture,
            $"lost the connection to PostgreSQL ({AnalyzeConnection.Describe(connectionString)}, backend pid {backendPid}): {exception.Message.ReplaceLineEndings(" ")}");
        console.Error.WriteLine($"kmer-cli: {message}");
        if (json)
        {
            AnalyzeReport.WriteFailureJson(console.Out, "cannot_connect", message);
        }

        return AnalyzeExitCodes.CannotConnect;
    }
}
