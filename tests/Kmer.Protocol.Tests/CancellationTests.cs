using System.Diagnostics;
using System.IO.Pipes;
using System.Net.Sockets;

namespace Kmer.Protocol.Tests;

/// <summary>A pending read on a peer that never sends stops promptly when its token is cancelled.</summary>
public sealed class CancellationTests
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    /// <summary>A connected pair of Unix domain stream sockets, the bridge's transport.</summary>
    private sealed class SocketPair : IDisposable
    {
        private readonly string _directory;

        private SocketPair(string directory, Socket server, Socket client)
        {
            _directory = directory;
            Server = new NetworkStream(server, ownsSocket: true);
            Client = new NetworkStream(client, ownsSocket: true);
        }

        public NetworkStream Server { get; }

        public NetworkStream Client { get; }

        public static async Task<SocketPair> ConnectAsync()
        {
            string directory = Directory.CreateTempSubdirectory("kmer-protocol-").FullName;
            var endPoint = new UnixDomainSocketEndPoint(Path.Combine(directory, "s"));
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(endPoint);
            listener.Listen(1);
            var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            Task<Socket> accept = listener.AcceptAsync();
            await client.ConnectAsync(endPoint);
            return new SocketPair(directory, await accept, client);
        }

        public void Dispose()
        {
            Server.Dispose();
            Client.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Pending_read_on_a_silent_socket_is_cancelled_promptly()
    {
        using var pair = await SocketPair.ConnectAsync();
        var reader = new FrameReader(pair.Server);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.ReadMessageAsync(cts.Token));
        Assert.True(clock.Elapsed < Prompt, $"cancellation took {clock.Elapsed}");

        // Cancelled before any byte of a frame: the connection is still in step.
        await new FrameWriter(pair.Client).WriteMessageAsync(new Cancel(3), CancellationToken.None);
        using var timeout = new CancellationTokenSource(Prompt);
        Assert.Equal(new Cancel(3), await reader.ReadMessageAsync(timeout.Token));

        // And a clean close by the peer reads as null.
        pair.Client.Socket.Shutdown(SocketShutdown.Send);
        Assert.Null(await reader.ReadMessageAsync(timeout.Token));
    }

    [Fact]
    public async Task Pending_read_on_a_silent_pipe_is_cancelled_promptly()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.In);
        using var client = new AnonymousPipeClientStream(PipeDirection.Out, server.ClientSafePipeHandle);
        var reader = new FrameReader(server);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.ReadFrameAsync(cts.Token));
        Assert.True(clock.Elapsed < Prompt, $"cancellation took {clock.Elapsed}");
    }

    [Fact]
    public async Task Cancellation_inside_a_frame_leaves_the_reader_unusable()
    {
        using var pair = await SocketPair.ConnectAsync();
        var reader = new FrameReader(pair.Server);
        await pair.Client.WriteAsync(new byte[] { 0x00, 0x00 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.ReadMessageAsync(cts.Token));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await reader.ReadMessageAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_already_cancelled_token_stops_a_write_before_it_starts()
    {
        using var buffer = new MemoryStream();
        var writer = new FrameWriter(buffer);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await writer.WriteMessageAsync(new Cancel(1), cts.Token));
        Assert.Equal(0, buffer.Length);
        await writer.WriteMessageAsync(new Cancel(1), CancellationToken.None);
        Assert.Equal(21, buffer.Length);
    }
}
