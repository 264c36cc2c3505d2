// Connections from the worker back to the caller's PostgreSQL, acting as the caller.
//
// A call's context names the caller's database, role, search_path, settings
// and exported snapshot. OpenAsCallerAsync logs in as Worker:DatabaseUser over
// the server's Unix socket (first entry of unix_socket_directories, port),
// then turns the session into the caller's: SET ROLE to the caller's role,
// the caller's search_path and kmersearch.* settings, an application_name
// naming the job; optionally a REPEATABLE READ READ ONLY transaction that
// imports the caller's snapshot, so parallel readers see exactly the rows the
// caller sees. The session setup runs outside that transaction, so a rollback
// cannot undo the SET ROLE.
//
// One NpgsqlDataSource (a pool) per connection target, kept for the worker's
// life. Npgsql resets a connection that returns to the pool (DISCARD ALL,
// after rolling back an open transaction) before it is handed out again: the
// role, settings and snapshot of one call never reach another. That is
// Npgsql's default (No Reset On Close = false) and must stay so.
using System.Globalization;
using System.Text.RegularExpressions;
using Kmer.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Kmer.Worker;

/// <summary>Opens database sessions back to the caller's server that act as the caller (role, search_path, settings, snapshot).</summary>
public sealed partial class DatabaseSessions : IDisposable, IAsyncDisposable
{
    /// <summary>The <c>application_name</c> of the worker's sessions (a session of a job adds <c>job N</c>).</summary>
    public const string ApplicationName = "kmer-worker";

    /// <summary>SQLSTATE sqlclient_unable_to_establish_sqlconnection: the worker could not connect back.</summary>
    public const string CannotConnect = "08001";

    /// <summary>
    /// How many calls to one target may use their full parallelism at once:
    /// each data source holds up to <see cref="WorkerOptions.PoolSize"/> times
    /// this many connections. Beyond that, opening waits for a free one.
    /// </summary>
    internal const int CallsPerTarget = 4;

    private const string PoolSizeSetting = "kmersearch.worker_pool_size";
    private const string OccurBitlenSetting = "kmersearch.occur_bitlen";

    private readonly WorkerOptions _options;
    private readonly ILogger<DatabaseSessions> _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Dictionary<string, NpgsqlDataSource> _sources = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Creates the service; data sources are created on first use.</summary>
    public DatabaseSessions(IOptions<WorkerOptions> options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<DatabaseSessions>();
    }

    /// <summary>The most sessions one call may use in parallel (<c>Worker:PoolSize</c>).</summary>
    public int PoolSize => _options.PoolSize;

    /// <summary>
    /// How many sessions a call may use in parallel: <see cref="PoolSize"/>,
    /// or the caller's <c>kmersearch.worker_pool_size</c> when that is smaller
    /// (a value below 1 counts as 1; a missing or unreadable one is ignored).
    /// </summary>
    public int MaxParallelism(CallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Settings.TryGetValue(PoolSizeSetting, out string? text)
            && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int requested))
        {
            return Math.Clamp(requested, 1, PoolSize);
        }

        return PoolSize;
    }

    /// <summary>
    /// Where sessions for <paramref name="context"/> connect: host
    /// <c>Worker:DatabaseHost</c>, else the first entry of the caller's
    /// <c>unix_socket_directories</c>; port <c>Worker:DatabasePort</c>, else
    /// the caller's <c>port</c>; the caller's database; login role
    /// <c>Worker:DatabaseUser</c>.
    /// </summary>
    /// <exception cref="CallFailedException">08001: the context does not say where the server listens.</exception>
    public DatabaseTarget TargetFor(CallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string user = _options.DatabaseUser ?? _options.ServerUser;
        string? host = _options.DatabaseHost ?? FirstSocketDirectory(context);
        if (host is null)
        {
            throw new CallFailedException(
                CannotConnect,
                "the kmer worker does not know where to connect back to PostgreSQL",
                "The call's settings have no unix_socket_directories entry (the server listens on no Unix socket), and Worker:DatabaseHost is not set.",
                "Set Worker:DatabaseHost (and Worker:DatabasePort) in the worker's configuration.");
        }

        int port;
        if (_options.DatabasePort is int configured)
        {
            port = configured;
        }
        else if (!context.Settings.TryGetValue("port", out string? portText)
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port is < 1 or > 65535)
        {
            throw new CallFailedException(
                CannotConnect,
                "the kmer worker does not know which port to connect back to PostgreSQL on",
                portText is null ? "The call's settings have no \"port\"." : $"The call's \"port\" setting is \"{portText}\".",
                "Set Worker:DatabasePort in the worker's configuration.");
        }

        return new DatabaseTarget(host, port, context.Database, user);
    }

    /// <summary>
    /// Opens a session for the call of <paramref name="handlerContext"/> (see
    /// <see cref="OpenAsCallerAsync(CallContext, bool, CancellationToken)"/>)
    /// whose <c>application_name</c> is <c>kmer-worker job N</c>.
    /// </summary>
    public ValueTask<NpgsqlConnection> OpenAsCallerAsync(HandlerContext handlerContext, bool importSnapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handlerContext);
        return OpenAsCallerAsync(
            handlerContext.Call.Context,
            string.Create(CultureInfo.InvariantCulture, $"{ApplicationName} job {handlerContext.Job.Id}"),
            importSnapshot,
            cancellationToken);
    }

    /// <summary>
    /// Opens a session on the caller's database that acts as the caller: it
    /// has run <c>SET ROLE</c> to the caller's role, set the caller's
    /// <c>search_path</c> and every user-settable <c>kmersearch.*</c>
    /// setting of the context, and, when <paramref name="importSnapshot"/> and
    /// the caller exported a snapshot, begun a REPEATABLE READ READ ONLY
    /// transaction on that snapshot. Dispose it to return it to the pool
    /// (which rolls back the transaction and resets the session).
    /// </summary>
    /// <exception cref="CallFailedException">08001: the worker could not connect at all (see <see cref="TargetFor"/>).</exception>
    /// <exception cref="PostgresException">The server refused the login, the role change, a setting or the snapshot.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<NpgsqlConnection> OpenAsCallerAsync(CallContext context, bool importSnapshot, CancellationToken cancellationToken) =>
        OpenAsCallerAsync(context, ApplicationName, importSnapshot, cancellationToken);

    /// <summary>Closes every pooled connection.</summary>
    public void Dispose()
    {
        foreach (NpgsqlDataSource source in TakeSources())
        {
            source.Dispose();
        }
    }

    /// <summary>Closes every pooled connection.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (NpgsqlDataSource source in TakeSources())
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Quotes <paramref name="name"/> as an SQL identifier: in double quotes, embedded double quotes doubled.</summary>
    public static string QuoteIdentifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("An SQL identifier is not empty and has no NUL character.", nameof(name));
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>Whether <paramref name="snapshot"/> looks like an exported snapshot id (hex digits and dashes), safe to put in SQL.</summary>
    public static bool IsSnapshotId(string snapshot) => SnapshotIdPattern().IsMatch(snapshot);

    /// <summary>Connects as the login role, without acting as the caller yet.</summary>
    /// <exception cref="CallFailedException">08001: no connection could be made (not a server's refusal).</exception>
    internal async ValueTask<NpgsqlConnection> OpenAsync(DatabaseTarget target, CancellationToken cancellationToken)
    {
        NpgsqlDataSource source = DataSource(target);
        try
        {
            return await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (ex is not PostgresException && !cancellationToken.IsCancellationRequested)
        {
            Log.ConnectBackFailed(_logger, target.ToString(), ex);
            throw new CallFailedException(
                CannotConnect,
                $"kmer worker could not connect back to PostgreSQL at {target}",
                ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message,
                $"pg_hba.conf must let the worker's OS user connect as \"{target.User}\" over the Unix socket (e.g. \"local all {target.User} peer\"); "
                + "Worker:DatabaseUser sets the role, Worker:DatabaseHost and Worker:DatabasePort the server to connect to.",
                ex);
        }
    }

    /// <summary><c>SET ROLE</c> to <paramref name="role"/>.</summary>
    internal static async Task SetRoleAsync(NpgsqlConnection connection, string role, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SET ROLE " + QuoteIdentifier(role), connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Begins a REPEATABLE READ READ ONLY transaction on the exported snapshot <paramref name="snapshot"/>.</summary>
    /// <exception cref="ArgumentException">The id is not an exported snapshot id.</exception>
    internal static async Task ImportSnapshotAsync(NpgsqlConnection connection, string snapshot, CancellationToken cancellationToken)
    {
        if (!IsSnapshotId(snapshot))
        {
            throw new ArgumentException($"\"{snapshot}\" is not an exported snapshot id.", nameof(snapshot));
        }

        // Two statements in one round trip; the transaction must be new, so no query may come before it.
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
                new NpgsqlBatchCommand($"SET TRANSACTION SNAPSHOT '{snapshot}'"),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The caller's search_path, application_name and user-settable kmersearch.* settings, in one round trip.</summary>
    internal static async Task ApplySettingsAsync(NpgsqlConnection connection, CallContext context, string applicationName, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(SetConfig("search_path", context.SearchPath));
        batch.BatchCommands.Add(SetConfig("application_name", applicationName));

        // occur_bitlen and kmer_size are checked against each other as each is
        // set; occur_bitlen 0 fits every kmer_size, so set it to 0 first and
        // to the caller's value last, and every intermediate pair is valid.
        // (occur_bitlen is a user setting, so it needs no look at pg_settings.)
        bool hasOccurBitlen = context.Settings.TryGetValue(OccurBitlenSetting, out string? occurBitlen);
        if (hasOccurBitlen)
        {
            batch.BatchCommands.Add(SetConfig(OccurBitlenSetting, "0"));
        }

        string[] names = [.. context.Settings.Keys.Where(n => n.StartsWith("kmersearch.", StringComparison.Ordinal) && n != OccurBitlenSetting).Order(StringComparer.Ordinal)];
        if (names.Length > 0)
        {
            // Only the settings a user may change: the others (the worker_*
            // ones) are the server's anyway; a name the server does not know
            // yet (the library is not loaded in this session) is set as a
            // placeholder. One join with pg_settings for all of them: a lookup
            // per setting cost about half a millisecond each.
            var others = new NpgsqlBatchCommand(
                "SELECT count(pg_catalog.set_config(u.name, u.value, false)) "
                + "FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS u(name, value) "
                + "LEFT JOIN pg_catalog.pg_settings s ON s.name = u.name WHERE coalesce(s.context, 'user') = 'user'");
            others.Parameters.Add(new NpgsqlParameter { Value = names, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            others.Parameters.Add(new NpgsqlParameter { Value = names.Select(n => context.Settings[n]).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            batch.BatchCommands.Add(others);
        }

        if (hasOccurBitlen)
        {
            batch.BatchCommands.Add(SetConfig(OccurBitlenSetting, occurBitlen!));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlBatchCommand SetConfig(string name, string value)
    {
        var command = new NpgsqlBatchCommand("SELECT pg_catalog.set_config($1, $2, false)");
        command.Parameters.Add(new NpgsqlParameter { Value = name, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Text });
        return command;
    }

    private async ValueTask<NpgsqlConnection> OpenAsCallerAsync(CallContext context, string applicationName, bool importSnapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (importSnapshot && context.Snapshot is string id && !IsSnapshotId(id))
        {
            throw new CallFailedException(ProtocolException.ProtocolViolation, $"the call's snapshot \"{id}\" is not an exported snapshot id");
        }

        DatabaseTarget target = TargetFor(context);
        NpgsqlConnection connection = await OpenAsync(target, cancellationToken).ConfigureAwait(false);
        try
        {
            await SetRoleAsync(connection, context.User, cancellationToken).ConfigureAwait(false);
            await ApplySettingsAsync(connection, context, applicationName, cancellationToken).ConfigureAwait(false);
            if (importSnapshot && context.Snapshot is string snapshot)
            {
                await ImportSnapshotAsync(connection, snapshot, cancellationToken).ConfigureAwait(false);
            }

            Log.SessionOpened(_logger, target.ToString(), context.User, importSnapshot ? context.Snapshot ?? "none" : "not imported");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private NpgsqlDataSource DataSource(DatabaseTarget target)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = target.Host,
            Port = target.Port,
            Database = target.Database,
            Username = target.User,
            ApplicationName = ApplicationName,
            MaxPoolSize = PoolSize * CallsPerTarget,

            // Long reads are the point; the caller's cancel (and its statement_timeout) stops them.
            CommandTimeout = 0,
        };
        string connectionString = builder.ConnectionString;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_sources.TryGetValue(connectionString, out NpgsqlDataSource? source))
            {
                source = new NpgsqlDataSourceBuilder(connectionString).UseLoggerFactory(_loggerFactory).Build();
                _sources.Add(connectionString, source);
                Log.DataSourceCreated(_logger, target.ToString(), builder.MaxPoolSize);
            }

            return source;
        }
    }

    private List<NpgsqlDataSource> TakeSources()
    {
        lock (_lock)
        {
            _disposed = true;
            List<NpgsqlDataSource> sources = [.. _sources.Values];
            _sources.Clear();
            return sources;
        }
    }

    private static string? FirstSocketDirectory(CallContext context)
    {
        if (!context.Settings.TryGetValue("unix_socket_directories", out string? directories))
        {
            return null;
        }

        string first = directories.Split(',')[0].Trim();
        if (first.Length >= 2 && first[0] == '"' && first[^1] == '"')
        {
            first = first[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
        }

        return first.Length == 0 ? null : first;
    }

    [GeneratedRegex("^[0-9A-F-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SnapshotIdPattern();
}
