using Kmer.Protocol;
using Npgsql;

namespace Kmer.Worker.Tests;

/// <summary>
/// A scratch database <c>kmer_wt_&lt;guid&gt;</c> on the server of
/// <see cref="TestDatabase.ConnectionVariable"/>, with two roles of its own
/// (dropped afterwards): <see cref="Reader"/> may read <c>public.counted</c>
/// and <c>s1.only_in_s1</c>; <see cref="Outsider"/> (a name with a double
/// quote and a space) may read neither. <c>public.counted</c> holds 3 rows.
/// Without a configured server it does nothing (the tests are skipped), except under CI=true.
/// </summary>
public sealed class ScratchDatabase : IAsyncLifetime
{
    /// <summary>The xunit collection of every database test, which runs its tests one at a time.</summary>
    public const string Collection = DatabaseCollection.Name;

    private string? _adminConnectionString;

    /// <summary>Name of the scratch database.</summary>
    public string Name { get; } = "kmer_wt_" + Guid.NewGuid().ToString("N");

    /// <summary>A role that may read the test tables.</summary>
    public string Reader => Name + "_reader";

    /// <summary>A role that may read nothing; its name needs quoting.</summary>
    public string Outsider => Name + " \"outsider\"";

    /// <summary>The connection string of the scratch database (as the configured user, no pooling).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The scratch database's OID.</summary>
    public long Oid { get; private set; }

    /// <summary>The configured server's host (socket directory) and port, and its login user.</summary>
    public NpgsqlConnectionStringBuilder Server { get; private set; } = new();

    public async Task InitializeAsync()
    {
        string? configured = TestDatabase.ConnectionString;
        if (configured is null)
        {
            if (TestDatabase.IsCi)
            {
                TestDatabase.RequireConnectionString();
            }

            return;
        }

        Server = new NpgsqlConnectionStringBuilder(configured) { Pooling = false };
        _adminConnectionString = Server.ConnectionString;
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = Name }.ConnectionString;
        await ExecuteAsync(_adminConnectionString, $"CREATE DATABASE {Name}");
        await ExecuteAsync(_adminConnectionString, $"CREATE ROLE {Reader} NOLOGIN");
        await ExecuteAsync(_adminConnectionString, $"CREATE ROLE {DatabaseSessions.QuoteIdentifier(Outsider)} NOLOGIN");
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            Oid = Convert.ToInt64(await ScalarAsync(admin, $"SELECT oid FROM pg_database WHERE datname = '{Name}'"), System.Globalization.CultureInfo.InvariantCulture);
        }

        await ExecuteAsync(ConnectionString, $"""
            CREATE TABLE public.counted (id int);
            INSERT INTO public.counted VALUES (1), (2), (3);
            CREATE SCHEMA s1;
            CREATE TABLE s1.only_in_s1 (id int);
            GRANT USAGE ON SCHEMA s1 TO {Reader};
            GRANT SELECT ON public.counted, s1.only_in_s1 TO {Reader};
            """);
    }

    public async Task DisposeAsync()
    {
        if (_adminConnectionString is null)
        {
            return;
        }

        await ExecuteAsync(_adminConnectionString, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        await ExecuteAsync(_adminConnectionString, $"DROP ROLE IF EXISTS {Reader}");
        await ExecuteAsync(_adminConnectionString, $"DROP ROLE IF EXISTS {DatabaseSessions.QuoteIdentifier(Outsider)}");
    }

    /// <summary>
    /// A call context for the scratch database as <paramref name="user"/>,
    /// with the server's socket directory and port as the extension sends them.
    /// </summary>
    public CallContext Context(string user, string searchPath = "public", string? snapshot = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["unix_socket_directories"] = Server.Host + ", /nonexistent/second",
            ["port"] = Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (KeyValuePair<string, string> setting in settings ?? new Dictionary<string, string>())
        {
            all[setting.Key] = setting.Value;
        }

        return new CallContext(Name, user, searchPath, Environment.ProcessId, snapshot, all) { DatabaseOid = Oid };
    }

    /// <summary>Worker options that log in as the configured user.</summary>
    public WorkerOptions Options(int poolSize = 2) => new() { DatabaseUser = Server.Username, PoolSize = poolSize };

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
