using Kmer.Protocol;

namespace Kmer.Worker.Tests;

/// <summary>kmersearch_worker_check without a database: failed checks are rows, not errors.</summary>
public sealed class WorkerCheckTests
{
    internal static async Task<Dictionary<string, (bool Ok, string Detail)>> CheckAsync(TestWorker worker, CallContext context)
    {
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(new Call(1, WorkerCheckHandler.HandlerName, [], context));
        object?[] rows = Assert.IsType<object?[]>((await caller.ReadAsync<Result>()).Value);
        var checks = rows.Select(r => Assert.IsType<Dictionary<string, object?>>(r)).ToList();
        Assert.Equal(["connect", "set_role", "snapshot", "spill_directory"], checks.Select(c => c["check_name"]));
        return checks.ToDictionary(c => (string)c["check_name"]!, c => ((bool)c["ok"]!, (string)c["detail"]!));
    }

    [Fact]
    public async Task WithoutAServerTheChecksReportWhatFailed()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        CallContext context = FakeBackend.NewCall(1, "h").Context with
        {
            Settings = new Dictionary<string, string> { ["unix_socket_directories"] = "/nonexistent/kmer", ["port"] = "5999" },
        };

        Dictionary<string, (bool Ok, string Detail)> checks = await CheckAsync(worker, context);

        Assert.False(checks["connect"].Ok);
        Assert.StartsWith("host /nonexistent/kmer port 5999 database \"testdb\" as user \"", checks["connect"].Detail, StringComparison.Ordinal);
        Assert.Contains("08001", checks["connect"].Detail, StringComparison.Ordinal);
        Assert.Equal((false, "not checked: no connection"), checks["set_role"]);
        Assert.Equal((true, "no snapshot exported by the caller"), checks["snapshot"]);
        Assert.Equal((true, $"{worker.Spill.Root} is writable"), checks["spill_directory"]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(worker.Spill.Root));
    }

    [Fact]
    public async Task NoSocketDirectoryAndASpillDirectoryThatCannotBeCreatedAreReported()
    {
        await using TestWorker worker = await TestWorker.StartAsync($"--Worker:ServerUser={TestWorker.CurrentUser}", "--Worker:SpillDirectory=/dev/null/spill");
        CallContext context = FakeBackend.NewCall(1, "h").Context with { Snapshot = "00000003-0000001B-1" };

        Dictionary<string, (bool Ok, string Detail)> checks = await CheckAsync(worker, context);

        Assert.False(checks["connect"].Ok);
        Assert.Contains("no unix_socket_directories", checks["connect"].Detail, StringComparison.Ordinal);
        Assert.Equal((false, "not checked: no connection"), checks["snapshot"]);
        Assert.False(checks["spill_directory"].Ok);
        Assert.StartsWith("/dev/null/spill: ", checks["spill_directory"].Detail, StringComparison.Ordinal);
    }
}
