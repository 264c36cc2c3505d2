using System.Globalization;
using System.Net.Sockets;
using System.Reflection;
using Kmer.Protocol;

namespace Kmer.Cli;

/// <summary>
/// Asks a worker pool for its status over its Unix socket: <c>hello</c>,
/// expect <c>welcome</c>, <c>status</c>, expect <c>status_result</c>
/// (docs/protocol.md). Every failure becomes a <see cref="ProbeResult"/> with
/// an exit code and a one-line reason; nothing here writes to the console.
/// </summary>
public sealed class StatusProbe
{
    private const string RunningHint = "is the worker running? (systemctl status kmer-worker, or shared_preload_libraries)";

    private readonly TimeProvider _time;

    /// <summary>Creates a probe that stamps answers with <paramref name="time"/>.</summary>
    public StatusProbe(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>The <c>client</c> this tool names itself in <c>hello</c>: <c>kmer-cli</c> and its version.</summary>
    public static string ClientName { get; } = "kmer-cli " + ToolVersion();

    /// <summary>
    /// Connects to <paramref name="socketPath"/> and asks for the status, all
    /// within <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (not on timeout).</exception>
    public async Task<ProbeResult> ProbeAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);

        UnixDomainSocketEndPoint endPoint;
        try
        {
            endPoint = new UnixDomainSocketEndPoint(socketPath);
        }
        catch (ArgumentException ex)
        {
            return ProbeResult.Unreachable($"socket path {socketPath} is not usable: {ex.Message}");
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
            return ConnectFailed(socketPath, ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut(socketPath, timeout);
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            return await ConverseAsync(socketPath, stream, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut(socketPath, timeout);
        }
        catch (ProtocolException ex)
        {
            return ProbeResult.Unreachable(
                $"protocol error talking to the worker on {socketPath}: {ex.Message} (SQLSTATE {ex.SqlState}): is something else listening on it, or are kmer-cli and the worker from different releases?");
        }
        catch (IOException ex)
        {
            return ProbeResult.Unreachable($"lost the connection to the worker on {socketPath}: {ex.Message}: check the worker's log");
        }
    }

    private async Task<ProbeResult> ConverseAsync(string socketPath, Stream stream, CancellationToken cancellationToken)
    {
        var reader = new FrameReader(stream);
        var writer = new FrameWriter(stream);

        await writer.WriteMessageAsync(new Hello(ProtocolVersion.Current, ClientName, Environment.ProcessId), cancellationToken).ConfigureAwait(false);
        BridgeMessage? answer = await reader.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        if (answer is not Welcome welcome)
        {
            return Unexpected(socketPath, Welcome.TypeName, answer);
        }

        if (welcome.Protocol != ProtocolVersion.Current)
        {
            return ProbeResult.Unreachable(string.Create(CultureInfo.InvariantCulture,
                $"protocol version mismatch on {socketPath}: kmer-cli speaks {ProtocolVersion.Current}, the worker ({welcome.Server}) speaks {welcome.Protocol}: install matching releases of kmer-cli and the worker"));
        }

        await writer.WriteMessageAsync(new StatusRequest(), cancellationToken).ConfigureAwait(false);
        answer = await reader.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        if (answer is not StatusResult status)
        {
            return Unexpected(socketPath, StatusResult.TypeName, answer);
        }

        return ProbeResult.Running(new WorkerStatus(socketPath, welcome, status, _time.GetUtcNow()));
    }

    private static ProbeResult ConnectFailed(string socketPath, SocketException ex) => ex.SocketErrorCode switch
    {
        // connect(2) on a Unix socket reports a missing path as ENOENT, which .NET calls AddressNotAvailable.
        SocketError.AddressNotAvailable when !File.Exists(socketPath) =>
            ProbeResult.NotRunning($"socket {socketPath} not found: {RunningHint}"),
        SocketError.ConnectionRefused =>
            ProbeResult.NotRunning($"nobody is listening on socket {socketPath} (a stale socket file?): {RunningHint}"),
        SocketError.AccessDenied =>
            ProbeResult.Unreachable($"permission denied on socket {socketPath}: run as the PostgreSQL OS user or an admin user of the worker, and check the permissions of the socket and its directory"),
        _ => ProbeResult.Unreachable($"cannot connect to socket {socketPath}: {ex.Message}: check the path and its permissions"),
    };

    private static ProbeResult TimedOut(string socketPath, TimeSpan timeout) =>
        ProbeResult.Unreachable(string.Create(CultureInfo.InvariantCulture,
            $"no answer from the worker on {socketPath} within {timeout.TotalSeconds:0.###} s: is it overloaded or stuck? (check its log, or try a longer --timeout)"));

    private static ProbeResult Unexpected(string socketPath, string expected, BridgeMessage? answer) => answer switch
    {
        null => ProbeResult.Unreachable(
            $"the worker on {socketPath} closed the connection before its \"{expected}\": check the worker's log"),
        Error { SqlState: "28000" } error => ProbeResult.Unreachable(
            $"the worker on {socketPath} refused kmer-cli: {Describe(error)}: run as the PostgreSQL OS user or a user the worker lists as admin"),
        Error { SqlState: ProtocolException.ProtocolViolation } error => ProbeResult.Unreachable(
            $"the worker on {socketPath} reported a protocol error: {Describe(error)}: install matching releases of kmer-cli and the worker"),
        Error error => ProbeResult.Unreachable(
            $"the worker on {socketPath} answered with an error: {Describe(error)}: check the worker's log"),
        _ => ProbeResult.Unreachable(
            $"protocol error talking to the worker on {socketPath}: expected \"{expected}\", got \"{answer.Type}\": is something else listening on it, or are kmer-cli and the worker from different releases?"),
    };

    private static string Describe(Error error)
    {
        string text = $"{error.Message} (SQLSTATE {error.SqlState})";
        return error.Hint is null ? text : $"{text}; hint: {error.Hint}";
    }

    private static string ToolVersion()
    {
        Assembly assembly = typeof(StatusProbe).Assembly;
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
