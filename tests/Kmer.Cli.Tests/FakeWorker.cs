using System.Net.Sockets;
using Kmer.Protocol;

namespace Kmer.Cli.Tests;

/// <summary>
/// A fake worker pool for protocol edge cases: a Unix socket in a temp
/// directory whose every connection is handed to a scripted handler.
/// </summary>
internal sealed class FakeWorker : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<Stream, CancellationToken, Task> _handle;
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];

    public FakeWorker(Func<Stream, CancellationToken, Task> handle)
    {
        _handle = handle;
        Directory = TempDirectory.Create();
        SocketPath = Path.Combine(Directory, "w.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen();
        _acceptLoop = AcceptAsync();
    }

    public string Directory { get; }

    public string SocketPath { get; }

    /// <summary>The <c>hello</c> of the last client, once it arrived.</summary>
    public Hello? LastHello { get; private set; }

    public static readonly DateTimeOffset StartedAt = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    public static Welcome DefaultWelcome => new(ProtocolVersion.Current, "kmer-worker 1.0.2026.11.24", 4321, PeerKind.Admin);

    public static StatusResult NoJobs => new("1.0.2026.11.24", 4321, StartedAt, []);

    public static StatusResult TwoJobs => new("1.0.2026.11.24", 4321, StartedAt,
    [
        new JobInfo(7, "kmersearch.build_index", 5150, 0.425, StartedAt.AddHours(1)),
        new JobInfo(12, "kmersearch.analyze_table", 5151, null, StartedAt.AddHours(2).AddMinutes(59).AddSeconds(30)),
    ]);

    /// <summary>A well-behaved worker: <c>welcome</c> for <c>hello</c>, then <paramref name="status"/> for <c>status</c>.</summary>
    public static FakeWorker Answering(StatusResult status, Welcome? welcome = null)
    {
        FakeWorker? worker = null;
        worker = new FakeWorker(async (stream, ct) =>
        {
            var reader = new FrameReader(stream);
            var writer = new FrameWriter(stream);
            worker!.LastHello = Assert.IsType<Hello>(await reader.ReadMessageAsync(ct));
            await writer.WriteMessageAsync(welcome ?? DefaultWelcome, ct);
            Assert.IsType<StatusRequest>(await reader.ReadMessageAsync(ct));
            await writer.WriteMessageAsync(status, ct);
        });
        return worker;
    }

    /// <summary>The <c>cancel_job</c> of the last client, once it arrived.</summary>
    public CancelJob? LastCancelJob { get; private set; }

    /// <summary>
    /// A well-behaved worker for <c>kmer-cli cancel</c>: <c>welcome</c> for
    /// <c>hello</c>, then for <c>cancel_job</c> a <c>cancel_job_result</c>
    /// that says cancelled when the job is one of <paramref name="runningJobs"/>.
    /// </summary>
    public static FakeWorker CancellingJobs(params long[] runningJobs)
    {
        FakeWorker? worker = null;
        worker = new FakeWorker(async (stream, ct) =>
        {
            var reader = new FrameReader(stream);
            var writer = new FrameWriter(stream);
            worker!.LastHello = Assert.IsType<Hello>(await reader.ReadMessageAsync(ct));
            await writer.WriteMessageAsync(DefaultWelcome, ct);
            CancelJob request = Assert.IsType<CancelJob>(await reader.ReadMessageAsync(ct));
            worker.LastCancelJob = request;
            await writer.WriteMessageAsync(new CancelJobResult(request.Job, runningJobs.Contains(request.Job)), ct);
        });
        return worker;
    }

    /// <summary>A worker that welcomes the client, then answers its request, whatever it is, with <paramref name="reply"/>.</summary>
    public static FakeWorker ReplyingToRequest(BridgeMessage reply) => new(async (stream, ct) =>
    {
        var reader = new FrameReader(stream);
        var writer = new FrameWriter(stream);
        await reader.ReadMessageAsync(ct);
        await writer.WriteMessageAsync(DefaultWelcome, ct);
        await reader.ReadMessageAsync(ct);
        await writer.WriteMessageAsync(reply, ct);
    });

    /// <summary>A worker that answers <c>hello</c> with <paramref name="reply"/> and closes the connection.</summary>
    public static FakeWorker ReplyingToHello(BridgeMessage reply) => new(async (stream, ct) =>
    {
        var reader = new FrameReader(stream);
        var writer = new FrameWriter(stream);
        await reader.ReadMessageAsync(ct);
        await writer.WriteMessageAsync(reply, ct);
    });

    /// <summary>
    /// A worker that reads the <c>hello</c> frame, answers with raw
    /// <paramref name="bytes"/> and waits for the client to hang up (closing
    /// first with unread data would reset the connection instead).
    /// </summary>
    public static FakeWorker SendingBytes(byte[] bytes) => new(async (stream, ct) =>
    {
        await new FrameReader(stream).ReadFrameAsync(ct);
        await stream.WriteAsync(bytes, ct);
        await stream.FlushAsync(ct);
        byte[] sink = new byte[256];
        while (await stream.ReadAsync(sink, ct) > 0)
        {
        }
    });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        // Handler failures (an assertion in a scripted handler) are the test's failures.
        await Task.WhenAll(connections);
        _stop.Dispose();
        TempDirectory.Delete(Directory);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client = await _listener.AcceptAsync(_stop.Token);
            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        await using (var stream = new NetworkStream(client, ownsSocket: false))
        {
            try
            {
                await _handle(stream, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
                // The client gave up (e.g. after its timeout) and closed the connection.
            }
        }
    }
}
