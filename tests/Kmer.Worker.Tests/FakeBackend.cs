using System.Net.Sockets;
using Kmer.Protocol;

namespace Kmer.Worker.Tests;

/// <summary>A small fake of the extension's side of the socket: raw frames, no state machine, so tests can misbehave.</summary>
internal sealed class FakeBackend : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly FrameReader _reader;
    private readonly FrameWriter _writer;

    private FakeBackend(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new FrameReader(_stream);
        _writer = new FrameWriter(_stream);
    }

    public static async Task<FakeBackend> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        return new FakeBackend(socket);
    }

    /// <summary>Wraps a socket that is already connected.</summary>
    public static FakeBackend FromSocket(Socket socket) => new(socket);

    public static Call NewCall(long id, string handler, int backendPid = 4242, params object?[] args) =>
        new(id, handler, args, new CallContext("testdb", "tester", "public", backendPid, null, new Dictionary<string, string> { ["kmersearch.kmer_size"] = "8" }));

    /// <summary>A call like <see cref="NewCall"/> whose context carries <paramref name="databaseOid"/>.</summary>
    public static Call NewCallInDatabase(long id, string handler, long databaseOid, params object?[] args)
    {
        Call call = NewCall(id, handler, 4242, args);
        return call with { Context = call.Context with { DatabaseOid = databaseOid } };
    }

    /// <summary>Reads notices until the call's <see cref="Result"/> or <see cref="Error"/>; returns both.</summary>
    public async Task<(List<Notice> Notices, BridgeMessage End)> ReadUntilEndAsync()
    {
        var notices = new List<Notice>();
        while (true)
        {
            BridgeMessage message = await ReadAsync();
            if (message is Notice notice)
            {
                notices.Add(notice);
                continue;
            }

            Assert.True(message is Result or Error, $"expected a notice, result or error, got {message.Type}");
            return (notices, message);
        }
    }

    public ValueTask SendAsync(BridgeMessage message) => _writer.WriteMessageAsync(message);

    /// <summary>The next message; fails the test when none comes within 10 s or the worker closed the connection.</summary>
    public async Task<BridgeMessage> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        BridgeMessage? message = await _reader.ReadMessageAsync(timeout.Token);
        Assert.NotNull(message);
        return message;
    }

    /// <summary>The next message, which must be of type <typeparamref name="T"/>.</summary>
    public async Task<T> ReadAsync<T>()
        where T : BridgeMessage
    {
        BridgeMessage message = await ReadAsync();
        return Assert.IsType<T>(message);
    }

    /// <summary>Asserts that the worker closes the connection (end of stream, or a reset) within 10 s.</summary>
    public async Task AssertClosedAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        try
        {
            BridgeMessage? message = await _reader.ReadMessageAsync(timeout.Token);
            Assert.Null(message);
        }
        catch (IOException)
        {
            // ECONNRESET: the worker closed with our unread bytes in its queue. Closed all the same.
        }
    }

    /// <summary>Closes the connection abruptly, as a dying backend would.</summary>
    public void Drop() => _socket.Close();

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
