using System.Net.Sockets;
using Kmer.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Kmer.Worker.Tests;

/// <summary>The real worker host, started in-process on a socket in a fresh temporary directory.</summary>
internal sealed class TestWorker : IAsyncDisposable
{
    private bool _stopped;

    private TestWorker(IHost host, string directory, string socketPath)
    {
        Host = host;
        Directory = directory;
        SocketPath = socketPath;
    }

    /// <summary>The name of the OS user running the tests (the peer the worker sees).</summary>
    public static string CurrentUser { get; } = Environment.UserName;

    public IHost Host { get; }

    public string Directory { get; }

    public string SocketPath { get; }

    public JobRegistry Jobs => Host.Services.GetRequiredService<JobRegistry>();

    public TestSignals Signals => Host.Services.GetRequiredService<TestSignals>();

    public SpillDirectory Spill => Host.Services.GetRequiredService<SpillDirectory>();

    /// <summary>The handler instance registered under <paramref name="name"/>.</summary>
    public T Handler<T>(string name)
        where T : ICallHandler => (T)Host.Services.GetRequiredKeyedService<ICallHandler>(name);

    /// <summary>A worker where the test process is the server user.</summary>
    public static Task<TestWorker> StartAsServerAsync() =>
        StartAsync($"--Worker:ServerUser={CurrentUser}", "--Worker:AdminUsers:0=");

    /// <summary>A worker where the test process is an admin user only.</summary>
    public static Task<TestWorker> StartAsAdminAsync() =>
        StartAsync("--Worker:ServerUser=kmer-test-nobody", $"--Worker:AdminUsers:0={CurrentUser}");

    /// <summary>Builds (without starting) a host on a socket in a new temporary directory, plus <paramref name="args"/>.</summary>
    public static (IHost Host, string Directory, string SocketPath) Build(params string[] args)
    {
        string directory = Path.Combine(Path.GetTempPath(), "kmer-wt-" + Guid.NewGuid().ToString("N")[..12]);
        string socketPath = Path.Combine(directory, "run", "kmer-worker.sock");
        HostApplicationBuilder builder = WorkerHost.CreateBuilder([$"--Worker:SocketPath={socketPath}", $"--Worker:SpillDirectory={Path.Combine(directory, "spill")}", .. args]);
        builder.Services.AddSingleton<TestSignals>();
        builder.Services.AddCallHandler<SlowHandler>(SlowHandler.Name);
        builder.Services.AddCallHandler<ThrowingHandler>(ThrowingHandler.Name);
        builder.Services.AddCallHandler<FailingHandler>(FailingHandler.Name);
        builder.Services.AddCallHandler<SpiHandler>(SpiHandler.Name);
        builder.Services.AddCallHandler<ConcurrentSpiHandler>(ConcurrentSpiHandler.Name);
        builder.Services.AddCallHandler<SpiCatchingHandler>(SpiCatchingHandler.Name);
        builder.Services.AddCallHandler<PostgresFailingHandler>(PostgresFailingHandler.Name);
        return (builder.Build(), directory, socketPath);
    }

    public static async Task<TestWorker> StartAsync(params string[] args)
    {
        (IHost host, string directory, string socketPath) = Build(args);
        var worker = new TestWorker(host, directory, socketPath);
        try
        {
            await host.StartAsync();
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }

        return worker;
    }

    public Task<FakeBackend> ConnectAsync() => FakeBackend.ConnectAsync(SocketPath);

    /// <summary>Connects and completes the handshake.</summary>
    public async Task<FakeBackend> ConnectAndHelloAsync()
    {
        FakeBackend backend = await ConnectAsync();
        await backend.SendAsync(new Hello(ProtocolVersion.Current, "kmer-worker-tests", Environment.ProcessId));
        Assert.IsType<Welcome>(await backend.ReadAsync());
        return backend;
    }

    /// <summary>
    /// A connection to this worker's jobs as an admin peer, while the test
    /// process is the worker's server user: the test runs as one OS user, so
    /// the connection is served by a <see cref="BridgeConnection"/> over this
    /// worker's registry and services that sees the peer as the admin user
    /// <c>kmer-test-admin</c>. The handshake is done. Disposing the result
    /// closes the connection; the worker's stopping ends it too.
    /// </summary>
    public async Task<FakeBackend> ConnectAsAdminAndHelloAsync()
    {
        const string AdminUser = "kmer-test-admin";
        WorkerOptions workerOptions = Host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        var options = new WorkerOptions { SocketPath = workerOptions.SocketPath, ServerUser = workerOptions.ServerUser, AdminUsers = [AdminUser] };

        string path = Path.Combine(Directory, "admin-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
        Socket served = await listener.AcceptAsync();
        File.Delete(path);

        var connection = new BridgeConnection(
            served,
            new PeerCredentials(Environment.ProcessId, 60001, 60001, AdminUser),
            options,
            Host.Services.GetRequiredService<WorkerInstance>(),
            Jobs,
            Host.Services,
            NullLogger.Instance);
        _ = Task.Run(() => connection.RunAsync(Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));

        FakeBackend backend = FakeBackend.FromSocket(client);
        await backend.SendAsync(new Hello(ProtocolVersion.Current, "kmer-worker-tests-admin", Environment.ProcessId));
        Assert.Equal(PeerKind.Admin, (await backend.ReadAsync<Welcome>()).Peer);
        return backend;
    }

    /// <summary>Waits until no job is registered, failing after <paramref name="timeout"/>.</summary>
    public async Task WaitForNoJobsAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Jobs.Snapshot().Count != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"jobs still registered after {timeout}: {string.Join(", ", Jobs.Snapshot().Select(j => j.Handler))}");
            await Task.Delay(10);
        }
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await Host.StopAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Host.Dispose();
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
    }
}
