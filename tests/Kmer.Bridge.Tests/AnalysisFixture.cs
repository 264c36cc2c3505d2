using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// A scratch database for the high-frequency analysis tests (see
/// <see cref="DatabaseFixture"/>), and the way to its server's data directory
/// for the pool's spill directory.
/// </summary>
public sealed class AnalysisFixture : IAsyncLifetime
{
    /// <summary>The scratch database.</summary>
    public DatabaseFixture Database { get; } = new();

    /// <summary>Whether the database tests run at all.</summary>
    public bool IsAvailable => Database.DatabaseName is not null;

    /// <inheritdoc/>
    public Task InitializeAsync() => Database.InitializeAsync();

    /// <inheritdoc/>
    public Task DisposeAsync() => Database.DisposeAsync();

    /// <summary>Opens a connection to the scratch database.</summary>
    public Task<NpgsqlConnection> OpenAsync() => Database.OpenConnectionAsync();

    /// <summary>The embedded pool's spill directory, <c>$PGDATA/kmersearch_spill</c>.</summary>
    public async Task<string> SpillDirectoryAsync(NpgsqlConnection connection) =>
        Path.Combine(await Sql.ScalarAsync<string>(connection, "SELECT current_setting('data_directory')"), "kmersearch_spill");

    /// <summary>The job directories of job <paramref name="job"/> of this database in the spill directory.</summary>
    public async Task<string[]> JobSpillDirectoriesAsync(NpgsqlConnection connection, long job)
    {
        string root = await SpillDirectoryAsync(connection);
        long databaseOid = await Sql.ScalarAsync<long>(connection, "SELECT oid::bigint FROM pg_database WHERE datname = current_database()");
        return Directory.Exists(root)
            ? Directory.GetDirectories(root, FormattableString.Invariant($"pg_kmersearch_db{databaseOid}_job{job}_*"))
            : [];
    }
}
