using Kmer.Protocol;

namespace Kmer.Worker.Tests;

/// <summary>Job directories under the spill directory: names, mode, removal with the lease and with the job.</summary>
public sealed class SpillDirectoryTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task LeaseCreatesAPrivateJobDirectoryAndRemovesItRecursively()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, SlowHandler.Name));
        Job job = await worker.Signals.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        CallContext context = FakeBackend.NewCallInDatabase(1, "h", 16384).Context;

        SpillLease lease = worker.Spill.CreateForJob(job, context);

        Assert.Equal(worker.Spill.Root, Path.GetDirectoryName(lease.Path));
        Assert.Matches($"^pg_kmersearch_db16384_job{job.Id}_[0-9a-f]{{12}}$", Path.GetFileName(lease.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(lease.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(worker.Spill.Root));
        Assert.Equal(job.Id, worker.Spill.OwnerOf(lease.Path));
        Directory.CreateDirectory(Path.Combine(lease.Path, "sub"));
        await File.WriteAllTextAsync(Path.Combine(lease.Path, "sub", "part-0"), "ACGT");

        lease.Dispose();
        lease.Dispose();

        Assert.False(Directory.Exists(lease.Path));
        Assert.Null(worker.Spill.OwnerOf(lease.Path));
        Assert.True(Directory.Exists(worker.Spill.Root));
    }

    [Fact]
    public async Task JobDirectoriesGoWhenTheJobEnds()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, SlowHandler.Name));
        await caller.ReadAsync<Notice>();
        Job job = await worker.Signals.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        CallContext context = FakeBackend.NewCallInDatabase(1, "h", 5).Context;
        SpillLease first = worker.Spill.CreateForJob(job, context);
        SpillLease second = worker.Spill.CreateForJob(job, context);
        Assert.NotEqual(first.Path, second.Path);
        await File.WriteAllBytesAsync(Path.Combine(first.Path, "counts.bin"), new byte[100]);

        await caller.SendAsync(new Cancel(1));
        Assert.Equal("57014", (await caller.ReadAsync<Error>()).SqlState);

        Assert.False(Directory.Exists(first.Path));
        Assert.False(Directory.Exists(second.Path));
        await worker.WaitForNoJobsAsync(OneSecond);
    }

    [Fact]
    public async Task AContextWithoutADatabaseOidIsRefused()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend caller = await worker.ConnectAndHelloAsync();
        await caller.SendAsync(FakeBackend.NewCall(1, SlowHandler.Name));
        Job job = await worker.Signals.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var ex = Assert.Throws<CallFailedException>(() => worker.Spill.CreateForJob(job, FakeBackend.NewCall(1, "h").Context));
        Assert.Equal("08P01", ex.SqlState);
        Assert.False(Directory.Exists(worker.Spill.Root));
    }
}
