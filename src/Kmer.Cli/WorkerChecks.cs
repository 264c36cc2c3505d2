using System.Globalization;
using Npgsql;

namespace Kmer.Cli;

/// <summary>
/// <c>kmer-cli doctor</c>'s checks of the way back: the server calls
/// <c>kmersearch_worker_check()</c>, a bridged function whose handler tests,
/// from inside the pool, what a real call needs (connecting to PostgreSQL,
/// <c>SET ROLE</c> to the caller, importing the caller's snapshot, the spill
/// directory). Each row it returns becomes one check named
/// <c>worker.&lt;check_name&gt;</c>; a failed call is one <c>worker_check</c> failure.
/// </summary>
public static class WorkerChecks
{
    /// <summary>The bridged function the checks come from.</summary>
    public const string Function = "kmersearch_worker_check";

    /// <summary>The query run on the doctor's connection.</summary>
    public const string Query = "SELECT check_name, ok, detail FROM " + Function + "()";

    /// <summary>The prefix of each row's check name.</summary>
    public const string Prefix = "worker.";

    /// <summary>The name of the check reported when the call itself fails.</summary>
    public const string CallCheck = "worker_check";

    private const string LogsFix =
        "read the server log and the pool's log (kmer-worker.log in the data directory with kmersearch.worker_autostart = on, else journalctl -u kmer-worker)";

    /// <summary>Runs <see cref="Query"/> on <paramref name="connection"/> (open, in the database with the extension), waiting up to <paramref name="timeout"/>.</summary>
    public static async Task<IReadOnlyList<DoctorCheck>> RunAsync(NpgsqlConnection connection, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        List<DoctorCheck> checks = [];
        try
        {
            await using var command = new NpgsqlCommand(Query, connection)
            {
                CommandTimeout = (int)Math.Clamp(Math.Ceiling(timeout.TotalSeconds), 1, int.MaxValue),
            };
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string name = reader.IsDBNull(0) ? "?" : reader.GetString(0);
                bool ok = !reader.IsDBNull(1) && reader.GetBoolean(1);
                string? detail = reader.IsDBNull(2) ? null : reader.GetString(2);
                checks.Add(FromRow(name, ok, detail));
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            return [FromError(ex, connection.Database, timeout)];
        }

        return checks.Count > 0
            ? checks
            : [DoctorCheck.Fail(CallCheck, $"{Function}() returned no checks", LogsFix)];
    }

    /// <summary>One row of <c>kmersearch_worker_check()</c> as a check: ok, or a failure with the fix for that check.</summary>
    public static DoctorCheck FromRow(string checkName, bool ok, string? detail)
    {
        ArgumentNullException.ThrowIfNull(checkName);
        string name = Prefix + checkName;
        string finding = string.IsNullOrWhiteSpace(detail) ? (ok ? "ok" : "failed (no detail)") : detail;
        return ok ? DoctorCheck.Ok(name, finding) : DoctorCheck.Fail(name, finding, FixFor(checkName));
    }

    /// <summary>What to do when the worker's check <paramref name="checkName"/> fails.</summary>
    public static string FixFor(string checkName) => checkName switch
    {
        "connect" =>
            "let the worker's OS user connect over the Unix socket (pg_hba.conf `local all postgres peer`), or set Worker:DatabaseUser/DatabaseHost/DatabasePort",
        "set_role" =>
            "the worker's database user must be a superuser or a member of the caller's role",
        "snapshot" =>
            "the worker must reach this same server directly, not a standby or a connection pooler, so that SET TRANSACTION SNAPSHOT can import the caller's exported snapshot: "
            + "point Worker:DatabaseHost/DatabasePort at this server",
        "spill_directory" =>
            "create it and give it to the server's OS user, or set Worker:SpillDirectory",
        _ => LogsFix,
    };

    /// <summary>The single failure reported when the call fails: the function is missing (an older extension), or the server or the pool raised an error.</summary>
    public static DoctorCheck FromError(Exception exception, string database, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is PostgresException { SqlState: PostgresErrorCodes.UndefinedFunction } missing
            && missing.MessageText.Contains(Function, StringComparison.Ordinal))
        {
            return DoctorCheck.Fail(CallCheck, $"{Function}() does not exist in database {database}: the pg_kmersearch created there predates it",
                $"install the current extension (make -C bridge-ext install, as root), then run ALTER EXTENSION pg_kmersearch UPDATE; in database {database}");
        }

        // A command timeout: Npgsql cancels the statement and reports the TimeoutException inside.
        if (exception.InnerException is TimeoutException)
        {
            string seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return DoctorCheck.Fail(CallCheck, $"{Function}() did not finish within {seconds} s",
                $"try a longer --timeout; {LogsFix}");
        }

        if (exception is PostgresException error)
        {
            string detail = string.IsNullOrWhiteSpace(error.Detail) ? "" : $": {error.Detail}";
            string fix = string.IsNullOrWhiteSpace(error.Hint) ? LogsFix : $"{error.Hint}; else {LogsFix}";
            return DoctorCheck.Fail(CallCheck, $"{Function}() failed: {error.MessageText} (SQLSTATE {error.SqlState}){detail}", fix);
        }

        return DoctorCheck.Fail(CallCheck, $"{Function}() failed: {exception.Message}", LogsFix);
    }
}
