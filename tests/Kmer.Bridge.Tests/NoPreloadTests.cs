using System.Diagnostics;
using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// Without shared_preload_libraries the types work but a bridged function
/// fails with a hint saying what to add. Needs its own throw-away server
/// (scripts/pg-cluster.sh with KMER_CLUSTER_PRELOAD empty), so it runs where
/// the database tests run and the script can start servers (as root).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class NoPreloadTests
{
    [DatabaseFact]
    public async Task A_bridged_call_without_preload_says_what_to_add_to_postgresql_conf()
    {
        if (Environment.UserName != "root")
        {
            Assert.Fail("starting a throw-away server needs root (scripts/pg-cluster.sh runs it as postgres)");
        }

        string script = Path.Combine(RepositoryRoot(), "scripts", "pg-cluster.sh");
        string directory = Directory.CreateTempSubdirectory("kmer-nopreload-").FullName;
        const int Port = 5439;
        try
        {
            Run(script, $"start {directory} {Port}");
            var connectionString = new NpgsqlConnectionStringBuilder
            {
                Host = directory,
                Port = Port,
                Username = "postgres",
                Database = "postgres",
                Pooling = false,
            }.ConnectionString;
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await Sql.ExecuteAsync(connection, "CREATE EXTENSION pg_kmersearch");
            Assert.Equal("ACGT", await Sql.ScalarAsync<string>(connection, "SELECT 'ACGT'::dna2::text"));

            PostgresException error = await Sql.FailsAsync(connection, "SELECT * FROM kmersearch_worker_status()");
            Assert.Equal("55000", error.SqlState);
            Assert.Contains("shared_preload_libraries = 'pg_kmersearch'", error.Hint, StringComparison.Ordinal);
            Assert.Contains("postgresql.conf", error.Hint, StringComparison.Ordinal);
        }
        finally
        {
            Run(script, $"stop {directory}");
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Run(string script, string arguments)
    {
        var start = new ProcessStartInfo("bash", $"{script} {arguments}") { RedirectStandardError = true };
        start.Environment["KMER_CLUSTER_PRELOAD"] = "";
        using Process process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"pg-cluster.sh {arguments} failed: {errors}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "hybrid.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("hybrid.sln not found above " + AppContext.BaseDirectory);
    }
}
