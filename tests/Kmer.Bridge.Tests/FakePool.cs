using System.Net.Sockets;
using Kmer.Protocol;

namespace Kmer.Bridge.Tests;

/// <summary>
/// A stand-in pool on a Unix socket for the extension's handshake edge cases:
/// it answers each client's hello with whatever the test chooses (null: says
/// nothing and keeps the connection open).
/// </summary>
internal sealed class FakePool : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Hello, BridgeMessage?> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private FakePool(string path, Func<Hello, BridgeMessage?> answer)
    {
        _answer = answer;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
        _listener.Listen();
        _loop = AcceptLoopAsync();
    }

    public static FakePool Start(string path, Func<Hello, BridgeMessage?> answer) => new(path, answer);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var clients = new List<Socket>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client = await _listener.AcceptAsync(_stop.Token);
                clients.Add(client);
                _ = ServeAsync(client);
            }
        }
        finally
        {
            foreach (Socket client in clients)
            {
                client.Dispose();
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            var stream = new NetworkStream(client, ownsSocket: false);
            var reader = new FrameReader(stream);
            var writer = new FrameWriter(stream);
            if (await reader.ReadMessageAsync(_stop.Token) is Hello hello && _answer(hello) is BridgeMessage answer)
            {
                await writer.WriteMessageAsync(answer, _stop.Token);
            }

            // Keep the connection open until the client goes or the test ends.
            await reader.ReadMessageAsync(_stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException or ProtocolException)
        {
        }
    }
}
