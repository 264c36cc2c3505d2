using Npgsql;

namespace Kmer.Cli;

/// <summary>
/// <c>kmer-cli doctor</c>'s checks through PostgreSQL: the server answers,
/// <c>pg_kmersearch</c> is preloaded and installed in the database, and the
/// worker settings, from which the effective worker socket follows.
/// </summary>
public static class DatabaseChecks
{
    /// <summary>The extension's name.</summary>
    public const string Extension = "pg_kmersearch";

    /// <summary>The socket file name in the data directory when <c>kmersearch.worker_socket_path</c> is empty.</summary>
    public const string DefaultSocketName = "kmer-worker.sock";

    /// <summary>The name of the extension check.</summary>
    public const string ExtensionCheck = "extension";

    private const string PreloadFix =
        "add shared_preload_libraries = 'pg_kmersearch' to postgresql.conf (append it to an existing list: 'other, pg_kmersearch') and restart PostgreSQL";

    /// <summary>
    /// The checks, the server's effective worker socket path when it told it,
    /// and the connection, still open for the checks that follow when the
    /// server answered; disposing the result closes it.
    /// </summary>
    public sealed class Result : IAsyncDisposable
    {
        /// <summary>Creates the result; it owns <paramref name="connection"/>.</summary>
        public Result(IReadOnlyList<DoctorCheck> checks, string? socketPath, NpgsqlConnection? connection = null)
        {
            Checks = checks;
            SocketPath = socketPath;
            Connection = connection;
        }

        /// <summary>The checks, in order.</summary>
        public IReadOnlyList<DoctorCheck> Checks { get; }

        /// <summary>The worker socket the server is configured with, or null.</summary>
        public string? SocketPath { get; }

        /// <summary>The open connection, or null when the server could not be reached.</summary>
        public NpgsqlConnection? Connection { get; }

        /// <summary>Whether the extension check passed, so its functions can be called on <see cref="Connection"/>.</summary>
        public bool ExtensionReady => Connection is not null && Checks.Any(c => c.Check == ExtensionCheck && c.Status == DoctorStatus.Ok);

        /// <inheritdoc/>
        public ValueTask DisposeAsync() => Connection?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>Runs the checks against <paramref name="connectionString"/>.</summary>
    public static async Task<Result> RunAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        List<DoctorCheck> checks = [];
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            checks.Add(DoctorCheck.Fail("postgres", $"invalid connection string: {ex.Message}",
                "pass an Npgsql connection string, e.g. --connection \"Host=/var/run/postgresql;Username=postgres;Database=postgres\""));
            return new Result(checks, null);
        }

        string where = $"Host={builder.Host};Port={builder.Port};Username={builder.Username};Database={builder.Database}";
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            checks.Add(DoctorCheck.Fail("postgres", $"cannot connect ({where}): {ex.Message}",
                $"check that PostgreSQL runs (pg_ctl status, systemctl status postgresql), the connection string (--connection or ${DoctorOptions.ConnectionVariable}) and pg_hba.conf"));
            return new Result(checks, null);
        }

        try
        {
            string? socketPath = await CheckConnectedAsync(connection, checks, where, cancellationToken).ConfigureAwait(false);
            return new Result(checks, socketPath, connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<string?> CheckConnectedAsync(NpgsqlConnection connection, List<DoctorCheck> checks, string where, CancellationToken cancellationToken)
    {
        string version = await ScalarAsync(connection, "SHOW server_version", cancellationToken).ConfigureAwait(false) ?? "?";
        string database = connection.Database;
        checks.Add(DoctorCheck.Ok("postgres", $"PostgreSQL {version} ({where})"));

        string preload = await ScalarAsync(connection, "SHOW shared_preload_libraries", cancellationToken).ConfigureAwait(false) ?? "";
        checks.Add(IsPreloaded(preload)
            ? DoctorCheck.Ok("preload", $"shared_preload_libraries = '{preload}'")
            : DoctorCheck.Fail("preload", $"pg_kmersearch is not in shared_preload_libraries ('{preload}'): no launcher, no worker settings", PreloadFix));

        checks.Add(await CheckExtensionAsync(connection, database, cancellationToken).ConfigureAwait(false));

        (DoctorCheck settings, string? socketPath) = await CheckSettingsAsync(connection, cancellationToken).ConfigureAwait(false);
        checks.Add(settings);
        return socketPath;
    }

    /// <summary>Whether a <c>shared_preload_libraries</c> value names <c>pg_kmersearch</c> (also as <c>$libdir/pg_kmersearch</c>).</summary>
    public static bool IsPreloaded(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Split(',')
            .Select(item => item.Trim().Trim('"').Trim())
            .Select(item => item.EndsWith(".so", StringComparison.Ordinal) ? item[..^3] : item)
            .Any(item => item == Extension || item.EndsWith("/" + Extension, StringComparison.Ordinal));
    }

    private static async Task<DoctorCheck> CheckExtensionAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken)
    {
        string? installed = await ScalarAsync(connection,
            "SELECT extversion FROM pg_extension WHERE extname = 'pg_kmersearch'", cancellationToken).ConfigureAwait(false);
        if (installed is null)
        {
            string? available = await ScalarAsync(connection,
                "SELECT default_version FROM pg_available_extensions WHERE name = 'pg_kmersearch'", cancellationToken).ConfigureAwait(false);
            return available is null
                ? DoctorCheck.Fail(ExtensionCheck, "pg_kmersearch is not installed on this server (not in pg_available_extensions)",
                    $"install it (make -C bridge-ext install, as root), then run CREATE EXTENSION pg_kmersearch; in database {database}")
                : DoctorCheck.Fail(ExtensionCheck, $"pg_kmersearch {available} is available but not created in database {database}",
                    $"run CREATE EXTENSION pg_kmersearch; in database {database} (as a superuser)");
        }

        try
        {
            string? build = await ScalarAsync(connection, "SELECT kmersearch_show_buildno()", cancellationToken).ConfigureAwait(false);
            return DoctorCheck.Ok(ExtensionCheck, $"pg_kmersearch {installed} in database {database}, build {build}");
        }
        catch (PostgresException ex)
        {
            return DoctorCheck.Fail(ExtensionCheck, $"pg_kmersearch {installed} is created but kmersearch_show_buildno() fails: {ex.MessageText} (SQLSTATE {ex.SqlState})",
                $"reinstall matching files (make -C bridge-ext install) and run ALTER EXTENSION pg_kmersearch UPDATE; in database {database}");
        }
    }

    private static async Task<(DoctorCheck Check, string? SocketPath)> CheckSettingsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        string? autostart = await ScalarAsync(connection,
            "SELECT current_setting('kmersearch.worker_autostart', true)", cancellationToken).ConfigureAwait(false);
        string? configured = await ScalarAsync(connection,
            "SELECT current_setting('kmersearch.worker_socket_path', true)", cancellationToken).ConfigureAwait(false);
        if (autostart is null || configured is null)
        {
            return (DoctorCheck.Fail("settings", "kmersearch.worker_* settings are not defined: pg_kmersearch is not loaded in the server", PreloadFix), null);
        }

        string mode = autostart == "on" ? "the server's launcher starts the pool" : "an external pool (systemd) is expected";
        string prefix = $"worker_autostart = {autostart} ({mode}), worker_socket_path = '{configured}'";
        if (configured.Length > 0)
        {
            return (DoctorCheck.Ok("settings", prefix), configured);
        }

        try
        {
            string? dataDirectory = await ScalarAsync(connection, "SELECT current_setting('data_directory')", cancellationToken).ConfigureAwait(false);
            string path = Path.Combine(dataDirectory ?? "", DefaultSocketName);
            return (DoctorCheck.Ok("settings", $"{prefix} -> {path}"), path);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return (DoctorCheck.Warn("settings", $"{prefix} (kmer-worker.sock in the data directory), but this user cannot read data_directory: {ex.MessageText}",
                "connect as a superuser, or GRANT pg_read_all_settings TO this user, or pass --socket $PGDATA/kmer-worker.sock"), null);
        }
    }

    private static async Task<string?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        object? value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
