using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kmer.Worker.Tests;

public sealed class HostTests
{
    [Fact]
    public async Task SocketIsGroupAccessibleWhileRunningAndRemovedAfterStop()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        Assert.True(File.Exists(worker.SocketPath));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(worker.SocketPath));

        await worker.StopAsync();

        Assert.False(File.Exists(worker.SocketPath));
    }

    [Fact]
    public async Task StaleSocketFileIsReplaced()
    {
        (IHost host, string directory, string socketPath) = TestWorker.Build($"--Worker:ServerUser={TestWorker.CurrentUser}");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
            using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                stale.Bind(new UnixDomainSocketEndPoint(socketPath)); // bound, never listening: a dead worker's leftover
            }

            await host.StartAsync();
            await using FakeBackend backend = await FakeBackend.ConnectAsync(socketPath);
            await host.StopAsync();
        }
        finally
        {
            host.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task SecondWorkerOnTheSameSocketRefusesToStart()
    {
        await using TestWorker first = await TestWorker.StartAsServerAsync();
        HostApplicationBuilder builder = WorkerHost.CreateBuilder([$"--Worker:SocketPath={first.SocketPath}"]);
        using IHost second = builder.Build();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync());
        Assert.Contains("already listening", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(first.SocketPath));
    }

    [Fact]
    public void DefaultsAreTheDocumentedOnes()
    {
        using IHost host = WorkerHost.CreateBuilder([]).Build();
        WorkerOptions options = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;

        Assert.Equal("/run/kmer-worker/kmer-worker.sock", options.SocketPath);
        Assert.Equal("postgres", options.ServerUser);
        Assert.Equal(["root"], options.AdminUsers);
        Assert.Equal(4, options.PoolSize);
        Assert.Equal("postgres", options.DatabaseUser);
        Assert.Null(options.DatabaseHost);
        Assert.Null(options.DatabasePort);
        Assert.Equal("/var/lib/kmer-worker/spill", options.SpillDirectory);
        Assert.False(options.EnableDiagnosticHandlers);
    }

    [Fact]
    public void DatabaseUserDefaultsToTheServerUser()
    {
        using IHost host = WorkerHost.CreateBuilder(["--Worker:ServerUser=pg", "--Worker:DatabaseHost="]).Build();
        WorkerOptions options = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        Assert.Equal("pg", options.DatabaseUser);
        Assert.Null(options.DatabaseHost);

        using IHost other = WorkerHost.CreateBuilder(["--Worker:ServerUser=pg", "--Worker:DatabaseUser=kmer", "--Worker:DatabasePort=6000"]).Build();
        WorkerOptions configured = other.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        Assert.Equal("kmer", configured.DatabaseUser);
        Assert.Equal(6000, configured.DatabasePort);
    }

    [Fact]
    public void ConfiguredAdminUsersReplaceTheDefault()
    {
        using IHost host = WorkerHost.CreateBuilder(["--Worker:AdminUsers:0=alice", "--Worker:AdminUsers:1=bob"]).Build();
        Assert.Equal(["alice", "bob"], host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value.AdminUsers);
    }

    [Theory]
    [InlineData("--Worker:SocketPath=relative/kmer.sock", "not an absolute path")]
    [InlineData("--Worker:ServerUser=", "ServerUser is empty")]
    [InlineData("--Worker:AdminUsers:0= bob", "AdminUsers entry ' bob'")]
    [InlineData("--Worker:PoolSize=0", "PoolSize 0 is out of range")]
    [InlineData("--Worker:PoolSize=65", "PoolSize 65 is out of range")]
    [InlineData("--Worker:DatabasePort=70000", "DatabasePort 70000 is not a TCP port")]
    [InlineData("--Worker:DatabaseUser= kmer", "DatabaseUser ' kmer'")]
    [InlineData("--Worker:DatabaseHost= ", "DatabaseHost ' '")]
    [InlineData("--Worker:SpillDirectory=spill", "SpillDirectory 'spill' is not an absolute path")]
    public async Task InvalidSettingsStopTheStartWithAClearMessage(string arg, string expected)
    {
        using IHost host = WorkerHost.CreateBuilder([arg]).Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooLongSocketPathIsRefused()
    {
        using IHost host = WorkerHost.CreateBuilder(["--Worker:SocketPath=/" + new string('s', 120)]).Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("107 bytes", ex.Message, StringComparison.Ordinal);
    }
}
