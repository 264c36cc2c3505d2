using System.Globalization;
using System.Net.Sockets;
using System.Reflection;
using Kmer.Protocol;

namespace Kmer.Cli;

/// <summary>
/// One request to a worker pool over its Unix socket: connect, <c>hello</c>,
/// expect <c>welcome</c>, send the request, expect its answer
/// (docs/protocol.md). Every failure becomes a <see cref="WorkerAnswer{T}"/>
/// with an exit code (<see cref="ExitCodes.NotRunning"/> or
/// <see cref="ExitCodes.Unreachable"/>) and a one-line reason saying what to
/// check; nothing here writes to the console.
/// </summary>
public static class WorkerConnection
{
    private const string RunningHint = "is the worker running? (systemctl status kmer-worker, or shared_preload_libraries)";

    /// <summary>The <c>client</c> this tool names itself in <c>hello</c>: <c>kmer-cli</c> and its version.</summary>
    public static string ClientName { get; } = "kmer-cli " + ToolVersion();

    /// <summary>
    /// Connects to <paramref name="socketPath"/>, shakes hands, sends
    /// <paramref name="request"/> and reads its answer of type
    /// <typeparamref name="TAnswer"/> (whose <c>type</c> is
    /// <paramref name="answerType"/>), all within <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (not on timeout).</exception>
    public static async Task<WorkerAnswer<TAnswer>> AskAsync<TAnswer>(
        string socketPath, BridgeMessage request, string answerType, TimeSpan timeout, CancellationToken cancellationToken = default)
        where TAnswer : BridgeMessage
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(answerType);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);

        UnixDomainSocketEndPoint endPoint;
        try
        {
            endPoint = new UnixDomainSocketEndPoint(socketPath);
        }
        catch (ArgumentException ex)
        {
            return WorkerAnswer<TAnswer>.Unreachable($"socket path {socketPath} is not usable: {ex.Message}");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(endPoint, deadline.Token).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            return ConnectFailed<TAnswer>(socketPath, ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut<TAnswer>(socketPath, timeout);
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            return await ConverseAsync<TAnswer>(socketPath, stream, request, answerType, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut<TAnswer>(socketPath, timeout);
        }
        catch (ProtocolException ex)
        {
            return WorkerAnswer<TAnswer>.Unreachable(
                $"protocol error talking to the worker on {socketPath}: {ex.Message} (SQLSTATE {ex.SqlState}): is something else listening on it, or are kmer-cli and the worker from different releases?");
        }
        catch (IOException ex)
        {
            return WorkerAnswer<TAnswer>.Unreachable($"lost the connection to the worker on {socketPath}: {ex.Message}: check the worker's log");
        }
    }

    private static async Task<WorkerAnswer<TAnswer>> ConverseAsync<TAnswer>(
        string socketPath, Stream stream, BridgeMessage request, string answerType, CancellationToken cancellationToken)
        where TAnswer : BridgeMessage
    {
        var reader = new FrameReader(stream);
        var writer = new FrameWriter(stream);

        await writer.WriteMessageAsync(new Hello(ProtocolVersion.Current, ClientName, Environment.ProcessId), cancellationToken).ConfigureAwait(false);
        BridgeMessage? answer = await reader.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        if (answer is not Welcome welcome)
        {
            return Unexpected<TAnswer>(socketPath, Welcome.TypeName, answer);
        }

        if (welcome.Protocol != ProtocolVersion.Current)
        {
            return WorkerAnswer<TAnswer>.Unreachable(string.Create(CultureInfo.InvariantCulture,
                $"protocol version mismatch on {socketPath}: kmer-cli speaks {ProtocolVersion.Current}, the worker ({welcome.Server}) speaks {welcome.Protocol}: install matching releases of kmer-cli and the worker"));
        }

        await writer.WriteMessageAsync(request, cancellationToken).ConfigureAwait(false);
        answer = await reader.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        return answer is TAnswer expected
            ? WorkerAnswer<TAnswer>.Answered(welcome, expected)
            : Unexpected<TAnswer>(socketPath, answerType, answer);
    }

    private static WorkerAnswer<T> ConnectFailed<T>(string socketPath, SocketException ex)
        where T : BridgeMessage => ex.SocketErrorCode switch
    {
        // connect(2) on a Unix socket reports a missing path as ENOENT, which .NET calls AddressNotAvailable.
        SocketError.AddressNotAvailable when !File.Exists(socketPath) =>
            WorkerAnswer<T>.NotRunning($"socket {socketPath} not found: {RunningHint}"),
        SocketError.ConnectionRefused =>
            WorkerAnswer<T>.NotRunning($"nobody is listening on socket {socketPath} (a stale socket file?): {RunningHint}"),
        SocketError.AccessDenied =>
            WorkerAnswer<T>.Unreachable($"permission denied on socket {socketPath}: run as the PostgreSQL OS user or an admin user of the worker, and check the permissions of the socket and its directory"),
        _ => WorkerAnswer<T>.Unreachable($"cannot connect to socket {socketPath}: {ex.Message}: check the path and its permissions"),
    };

    private static WorkerAnswer<T> TimedOut<T>(string socketPath, TimeSpan timeout)
        where T : BridgeMessage =>
        WorkerAnswer<T>.Unreachable(string.Create(CultureInfo.InvariantCulture,
            $"no answer from the worker on {socketPath} within {timeout.TotalSeconds:0.###} s: is it overloaded or stuck? (check its log, or try a longer --timeout)"));

    private static WorkerAnswer<T> Unexpected<T>(string socketPath, string expected, BridgeMessage? answer)
        where T : BridgeMessage => answer switch
    {
        null => WorkerAnswer<T>.Unreachable(
            $"the worker on {socketPath} closed the connection before its \"{expected}\": check the worker's log"),
        Error { SqlState: "28000" } error => WorkerAnswer<T>.Unreachable(
            $"the worker on {socketPath} refused kmer-cli: {Describe(error)}: run as the PostgreSQL OS user or a user the worker lists as admin"),
        Error { SqlState: ProtocolException.ProtocolViolation } error => WorkerAnswer<T>.Unreachable(
            $"the worker on {socketPath} reported a protocol error: {Describe(error)}: install matching releases of kmer-cli and the worker"),
        Error error => WorkerAnswer<T>.Unreachable(
            $"the worker on {socketPath} answered with an error: {Describe(error)}: check the worker's log"),
        _ => WorkerAnswer<T>.Unreachable(
            $"protocol error talking to the worker on {socketPath}: expected \"{expected}\", got \"{answer.Type}\": is something else listening on it, or are kmer-cli and the worker from different releases?"),
    };

    private static string Describe(Error error)
    {
        string text = $"{error.Message} (SQLSTATE {error.SqlState})";
        return error.Hint is null ? text : $"{text}; hint: {error.Hint}";
    }

    private static string ToolVersion()
    {
        Assembly assembly = typeof(WorkerConnection).Assembly;
        string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString();
        if (string.IsNullOrEmpty(version))
        {
            return "unknown";
        }

        // Drop the "+commit" build metadata the SDK appends.
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
