using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kmer.Worker;

/// <summary>
/// Listens on the worker's Unix socket and serves each connection concurrently
/// (<see cref="BridgeConnection"/>). The socket is bound in
/// <see cref="StartAsync"/>, so it exists before the host reports ready
/// (systemd <c>READY=1</c>), and its file is removed when the host stops.
/// </summary>
public sealed class SocketServer : BackgroundService
{
    private const UnixFileMode SocketMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private readonly WorkerOptions _options;
    private readonly WorkerInstance _instance;
    private readonly JobRegistry _jobs;
    private readonly IServiceProvider _services;
    private readonly ILogger<SocketServer> _logger;
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Socket? _listener;
    private long _lastConnection;

    /// <summary>Creates the server; nothing is bound until <see cref="StartAsync"/>.</summary>
    public SocketServer(
        IOptions<WorkerOptions> options,
        WorkerInstance instance,
        JobRegistry jobs,
        IServiceProvider services,
        ILogger<SocketServer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _instance = instance;
        _jobs = jobs;
        _services = services;
        _logger = logger;
    }

    /// <summary>The path of the socket file.</summary>
    public string SocketPath => _options.SocketPath;

    /// <summary>Binds the socket (creating its directory, replacing a stale file), then starts accepting.</summary>
    /// <exception cref="InvalidOperationException">Another process is listening on the socket path.</exception>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Bind();
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Stops accepting, ends the running calls and connections, and removes the socket file.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Also here, not only in ExecuteAsync: a host stopped right after
            // starting may cancel ExecuteAsync before it ever runs.
            CloseListener();
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        CloseListener();
        base.Dispose();
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Socket? listener = _listener;
        if (listener is null)
        {
            return; // already stopped
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is ObjectDisposedException or SocketException && Volatile.Read(ref _listener) is null)
                {
                    break; // closed by StopAsync or Dispose
                }
                catch (SocketException ex)
                {
                    // E.g. EMFILE: log, back off a little, keep serving.
                    Log.AcceptFailed(_logger, SocketPath, ex);
                    await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken).ConfigureAwait(false);
                    continue;
                }

                long id = Interlocked.Increment(ref _lastConnection);
                _connections[id] = ServeAsync(id, client, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // No new connections from here on; running calls end with an error
            // (their tokens are linked to stoppingToken), then the connections close.
            CloseListener();
            await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(long id, Socket client, CancellationToken stoppingToken)
    {
        await Task.Yield();
        int pid = 0;
        _instance.ConnectionOpened();
        try
        {
            PeerCredentials peer = PeerCredentials.Read(client);
            pid = peer.Pid;
            var connection = new BridgeConnection(client, peer, _options, _instance, _jobs, _services, _logger);
            await connection.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_logger, pid, ex);
            client.Dispose();
        }
        finally
        {
            _instance.ConnectionClosed();
            _connections.TryRemove(id, out _);
        }
    }

    private void Bind()
    {
        if (!OperatingSystem.IsLinux())
        {
            // SO_PEERCRED and getpwuid_r as used here are Linux's.
            throw new PlatformNotSupportedException("The kmer worker runs on Linux only.");
        }

        string path = _options.SocketPath;
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        if (Path.Exists(path))
        {
            if (IsLive(path))
            {
                throw new InvalidOperationException(
                    $"Another process is already listening on {path}; stop it or set Worker:SocketPath to another path.");
            }

            File.Delete(path);
            Log.StaleSocketRemoved(_logger, path);
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, SocketMode);
            listener.Listen(backlog: 128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        Log.Listening(_logger, path, _options.ServerUser, string.Join(", ", _options.AdminUsers));
    }

    private static bool IsLive(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Closes the listening socket and removes its file, once.</summary>
    private void CloseListener()
    {
        Socket? listener = Interlocked.Exchange(ref _listener, null);
        if (listener is null)
        {
            return;
        }

        listener.Dispose();
        RemoveSocketFile();
    }

    private void RemoveSocketFile()
    {
        try
        {
            File.Delete(SocketPath);
            Log.Stopped(_logger, SocketPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SocketRemoveFailed(_logger, SocketPath, ex);
        }
    }
}
