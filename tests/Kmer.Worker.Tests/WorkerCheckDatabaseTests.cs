using Npgsql;

namespace Kmer.Worker.Tests;

/// <summary>kmersearch_worker_check against a real server.</summary>
[Collection(ScratchDatabase.Collection)]
public sealed class WorkerCheckDatabaseTests(ScratchDatabase database) : IClassFixture<ScratchDatabase>
{
    [DatabaseFact]
    public async Task EveryCheckPassesForARealCaller()
    {
        await using TestWorker worker = await TestWorker.StartAsync($"--Worker:ServerUser={TestWorker.CurrentUser}", $"--Worker:DatabaseUser={database.Server.Username}");
        await using var caller = new NpgsqlConnection(database.ConnectionString);
        await caller.OpenAsync();
        await using NpgsqlTransaction transaction = await caller.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        string snapshot = (string)(await ScratchDatabase.ScalarAsync(caller, "SELECT pg_export_snapshot()"))!;

        Dictionary<string, (bool Ok, string Detail)> checks = await WorkerCheckTests.CheckAsync(worker, database.Context(database.Reader, snapshot: snapshot));

        Assert.True(checks.Values.All(c => c.Ok), string.Join("; ", checks.Select(c => $"{c.Key}: {c.Value}")));
        Assert.StartsWith($"connected to host {database.Server.Host} port {database.Server.Port} database \"{database.Name}\"", checks["connect"].Detail, StringComparison.Ordinal);
        Assert.Equal($"imported snapshot {snapshot}", checks["snapshot"].Detail);
    }

    [DatabaseFact]
    public async Task AnUnknownRoleAndAStaleSnapshotAreReported()
    {
        await using TestWorker worker = await TestWorker.StartAsync($"--Worker:ServerUser={TestWorker.CurrentUser}", $"--Worker:DatabaseUser={database.Server.Username}");

        Dictionary<string, (bool Ok, string Detail)> checks = await WorkerCheckTests.CheckAsync(
            worker, database.Context("kmer_no_such_role", snapshot: "00000003-0000001B-1"));

        Assert.True(checks["connect"].Ok);
        Assert.False(checks["set_role"].Ok);
        Assert.Contains("22023: role \"kmer_no_such_role\" does not exist", checks["set_role"].Detail, StringComparison.Ordinal);
        Assert.False(checks["snapshot"].Ok);
        Assert.Contains("22023", checks["snapshot"].Detail, StringComparison.Ordinal);
    }
}
