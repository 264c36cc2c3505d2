using Kmer.Protocol;
using Kmer.Worker.Diagnostics;
using Npgsql;

namespace Kmer.Worker.Tests;

/// <summary>diagnostics.read_count through the worker against a real server: the caller's role and snapshot apply.</summary>
[Collection(ScratchDatabase.Collection)]
public sealed class DiagnosticsDatabaseTests(ScratchDatabase database) : IClassFixture<ScratchDatabase>
{
    private async Task<BridgeMessage> ReadCountAsync(string user, string table, string? snapshot = null)
    {
        await using TestWorker worker = await DiagnosticsTests.StartWithDiagnosticsAsync($"--Worker:DatabaseUser={database.Server.Username}");
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(new Call(1, ReadCountHandler.HandlerName, [table], database.Context(user, snapshot: snapshot)));
        return await caller.ReadAsync();
    }

    [DatabaseFact]
    public async Task ReadCountCountsAsTheCaller() =>
        Assert.Equal(3L, Assert.IsType<Result>(await ReadCountAsync(database.Reader, "public.counted")).Value);

    [DatabaseFact]
    public async Task ARoleWithoutSelectGets42501AsTheCallsError()
    {
        Error error = Assert.IsType<Error>(await ReadCountAsync(database.Outsider, "public.counted"));
        Assert.Equal("42501", error.SqlState);
        Assert.Equal("permission denied for table counted", error.Message);
    }

    [DatabaseFact]
    public async Task ReadCountSeesTheCallersSnapshot()
    {
        await using var caller = new NpgsqlConnection(database.ConnectionString);
        await caller.OpenAsync();
        await using NpgsqlTransaction transaction = await caller.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        string snapshot = (string)(await ScratchDatabase.ScalarAsync(caller, "SELECT pg_export_snapshot()"))!;
        await ScratchDatabase.ExecuteAsync(database.ConnectionString, "INSERT INTO public.counted VALUES (100)");
        try
        {
            Assert.Equal(3L, Assert.IsType<Result>(await ReadCountAsync(database.Reader, "public.counted", snapshot)).Value);
            Assert.Equal(4L, Assert.IsType<Result>(await ReadCountAsync(database.Reader, "public.counted")).Value);
        }
        finally
        {
            await ScratchDatabase.ExecuteAsync(database.ConnectionString, "DELETE FROM public.counted WHERE id = 100");
        }
    }

    [DatabaseFact]
    public async Task AnUnknownTableIs42P01() =>
        Assert.Equal("42P01", Assert.IsType<Error>(await ReadCountAsync(database.Reader, "public.no_such_table")).SqlState);
}
