using Kmer.Protocol;

namespace Kmer.Worker.Tests;

/// <summary>kmersearch_delete_tempfiles over real directories.</summary>
public sealed class DeleteTempFilesTests
{
    private const long Oid = 5;

    private static readonly DateTime LongAgo = DateTime.UtcNow.AddHours(-1);

    private static async Task<string> LeftoverAsync(string root, string name, params (string Name, int Size)[] files)
    {
        string path = Path.Combine(root, name);
        Directory.CreateDirectory(path);
        foreach ((string file, int size) in files)
        {
            await File.WriteAllBytesAsync(Path.Combine(path, file), new byte[size]);
        }

        Directory.SetLastWriteTimeUtc(path, LongAgo);
        return path;
    }

    private static async Task<(List<Notice> Notices, Dictionary<string, object?> Row)> CallAsync(TestWorker worker, long databaseOid = Oid)
    {
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCallInDatabase(3, DeleteTempFilesHandler.HandlerName, databaseOid));
        (List<Notice> notices, BridgeMessage end) = await caller.ReadUntilEndAsync();
        Assert.All(notices, n => Assert.Equal(3, n.Id));
        object?[] rows = Assert.IsType<object?[]>(Assert.IsType<Result>(end).Value);
        return (notices, Assert.IsType<Dictionary<string, object?>>(Assert.Single(rows)));
    }

    private static void AssertRow(Dictionary<string, object?> row, long deleted, long size, long errors)
    {
        Assert.Equal(["deleted_count", "deleted_size", "error_count"], row.Keys.Order());
        Assert.Equal(deleted, row["deleted_count"]);
        Assert.Equal(size, row["deleted_size"]);
        Assert.Equal(errors, row["error_count"]);
    }

    [Fact]
    public async Task AMissingSpillDirectoryIsAWarningAndZeros()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();

        (List<Notice> notices, Dictionary<string, object?> row) = await CallAsync(worker);

        Notice warning = Assert.Single(notices);
        Assert.Equal(NoticeLevel.Warning, warning.Level);
        Assert.Equal($"spill directory \"{worker.Spill.Root}\" does not exist", warning.Message);
        AssertRow(row, 0, 0, 0);
    }

    [Fact]
    public async Task DeletesTheOldLeftoversOfTheCallersDatabaseOnly()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        string root = worker.Spill.Root;
        Directory.CreateDirectory(root);
        string old = await LeftoverAsync(root, "pg_kmersearch_db5_job1_aaaa", ("a.bin", 10), ("b.bin", 20));
        string withSubdirectory = await LeftoverAsync(root, "pg_kmersearch_db5_job2_bbbb", ("c.bin", 5));
        Directory.CreateDirectory(Path.Combine(withSubdirectory, "nested"));
        Directory.SetLastWriteTimeUtc(withSubdirectory, LongAgo);
        string recent = await LeftoverAsync(root, "pg_kmersearch_db5_job3_cccc", ("d.bin", 7));
        Directory.SetLastWriteTimeUtc(recent, DateTime.UtcNow);
        string otherDatabase = await LeftoverAsync(root, "pg_kmersearch_db55_job4_dddd", ("e.bin", 1));
        string otherDatabase2 = await LeftoverAsync(root, "pg_kmersearch_db6_job5_eeee", ("f.bin", 1));
        string notOurs = await LeftoverAsync(root, "something_else", ("g.bin", 1));
        await File.WriteAllTextAsync(Path.Combine(root, "pg_kmersearch_db5_stray_file"), "x");

        (List<Notice> notices, Dictionary<string, object?> row) = await CallAsync(worker);

        AssertRow(row, 3, 35, 0);
        Assert.All(notices, n => Assert.Equal(NoticeLevel.Info, n.Level));
        Assert.Equal(
            [
                $"deleted \"{old}/a.bin\" (10 bytes)",
                $"deleted \"{old}/b.bin\" (20 bytes)",
                $"removed directory \"{old}\"",
                $"deleted \"{withSubdirectory}/c.bin\" (5 bytes)",
                $"could not remove directory \"{withSubdirectory}\"",
                $"skipping \"{recent}\": it was modified less than 60 seconds ago",
                $"skipping \"{root}/pg_kmersearch_db5_stray_file\": it is not a directory",
            ],
            notices.Select(n => n.Message.StartsWith("could not remove", StringComparison.Ordinal) ? n.Message[..n.Message.IndexOf(':', StringComparison.Ordinal)] : n.Message));
        Assert.False(Directory.Exists(old));
        Assert.True(Directory.Exists(Path.Combine(withSubdirectory, "nested")));
        Assert.True(File.Exists(Path.Combine(recent, "d.bin")));
        Assert.True(File.Exists(Path.Combine(otherDatabase, "e.bin")));
        Assert.True(File.Exists(Path.Combine(otherDatabase2, "f.bin")));
        Assert.True(File.Exists(Path.Combine(notOurs, "g.bin")));
        Assert.True(File.Exists(Path.Combine(root, "pg_kmersearch_db5_stray_file")));
    }

    [Fact]
    public async Task TheAgeLimitCanBeShortened()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        Directory.CreateDirectory(worker.Spill.Root);
        string recent = await LeftoverAsync(worker.Spill.Root, "pg_kmersearch_db5_job3_cccc", ("d.bin", 7));
        Directory.SetLastWriteTimeUtc(recent, DateTime.UtcNow.AddSeconds(-2));
        worker.Handler<DeleteTempFilesHandler>(DeleteTempFilesHandler.HandlerName).MinimumAge = TimeSpan.FromSeconds(1);

        (_, Dictionary<string, object?> row) = await CallAsync(worker);

        AssertRow(row, 1, 7, 0);
        Assert.False(Directory.Exists(recent));
    }

    [Fact]
    public async Task ADirectoryOfARunningJobIsSkipped()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend busy = await worker.ConnectAndHelloAsync();
        await busy.SendAsync(FakeBackend.NewCall(1, SlowHandler.Name));
        Job job = await worker.Signals.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        SpillLease lease = worker.Spill.CreateForJob(job, FakeBackend.NewCallInDatabase(1, "h", Oid).Context);
        await File.WriteAllBytesAsync(Path.Combine(lease.Path, "part"), new byte[3]);
        Directory.SetLastWriteTimeUtc(lease.Path, LongAgo);

        (List<Notice> notices, Dictionary<string, object?> row) = await CallAsync(worker);

        AssertRow(row, 0, 0, 0);
        Notice skipped = Assert.Single(notices);
        Assert.Equal(NoticeLevel.Info, skipped.Level);
        Assert.Equal($"skipping \"{lease.Path}\": it belongs to running job {job.Id}", skipped.Message);
        Assert.True(File.Exists(Path.Combine(lease.Path, "part")));
    }

    [Fact]
    public async Task NoDatabaseOidIs08P01()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, DeleteTempFilesHandler.HandlerName));

        Assert.Equal("08P01", (await caller.ReadAsync<Error>()).SqlState);
    }
}
