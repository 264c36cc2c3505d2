using Npgsql;

namespace Kmer.Tests.Shared;

/// <summary>
/// A scratch database for one test class: <c>kmer_test_&lt;guid&gt;</c> with
/// <c>CREATE EXTENSION pg_kmersearch</c>, created on the server named by
/// <see cref="TestDatabase.ConnectionVariable"/> and dropped afterwards, so
/// runs never see each other's leftovers.
/// </summary>
/// <remarks>
/// Without a configured server it does nothing (the tests are skipped by
/// <see cref="DatabaseFactAttribute"/>), except under <c>CI=true</c>, where it
/// throws so that every test of the class fails instead of being skipped.
/// </remarks>
public sealed class DatabaseFixture : IAsyncLifetime
{
    private string? _adminConnectionString;
    private string? _connectionString;

    /// <summary>Name of the scratch database (null before initialisation or when skipped).</summary>
    public string? DatabaseName { get; private set; }

    /// <summary>Creates the scratch database and the extension in it.</summary>
    /// <exception cref="InvalidOperationException">CI=true and no connection string is configured.</exception>
    public async Task InitializeAsync()
    {
        string? configured = TestDatabase.ConnectionString;
        if (configured is null)
        {
            if (TestDatabase.IsCi)
            {
                throw new InvalidOperationException(
                    $"CI=true but {TestDatabase.ConnectionVariable} is not set, so the database tests cannot run. " +
                    $"Set it to an Npgsql connection string such as \"Host=/tmp/socket-dir;Port=5433;Username=postgres;Database=postgres\" " +
                    "of a server with pg_kmersearch installed and preloaded (scripts/test-all.sh does this).");
            }

            return;
        }

        // No pooling: the scratch database must have no idle connections left when it is dropped.
        // Error details: the tests check DETAIL fields, which Npgsql otherwise redacts.
        _adminConnectionString = new NpgsqlConnectionStringBuilder(configured) { Pooling = false, IncludeErrorDetail = true }.ConnectionString;
        string name = "kmer_test_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await ExecuteAsync(admin, $"CREATE DATABASE {name}");
        }

        DatabaseName = name;
        _connectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString;
        await using NpgsqlConnection connection = await OpenConnectionAsync();
        await ExecuteAsync(connection, "CREATE EXTENSION pg_kmersearch");
    }

    /// <summary>Drops the scratch database.</summary>
    public async Task DisposeAsync()
    {
        if (DatabaseName is null || _adminConnectionString is null)
        {
            return;
        }

        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)");
        DatabaseName = null;
    }

    /// <summary>Opens a new connection to the scratch database (fresh session settings and caches).</summary>
    public async Task<NpgsqlConnection> OpenConnectionAsync()
    {
        string connectionString = _connectionString
            ?? throw new InvalidOperationException("The scratch database was not created; is the test missing [DatabaseFact]?");
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs one statement without parameters.</summary>
    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
