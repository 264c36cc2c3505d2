// One client connection, from the accepted socket to its close.
//
// Design: one loop reads messages for the whole life of the connection, so a
// `cancel` or the peer closing is seen while calls run. Each `call` runs as
// its own task and job (JobRegistry), with a token linked to the worker's
// stopping token; `cancel` (or the connection ending) cancels that token.
// Every call ends with exactly one `result` or `error`; its job leaves the
// registry before that last message is written, so a `status` that follows
// the reply never shows it. `cancel_job` reaches a call of any connection
// through the JobRegistry: it cancels the same token, so the call ends the
// same way on its own connection. A handler's SPI request (HandlerContext.
// ExecuteSpiAsync) goes out as `spi`; the read loop hands its `spi_result` or
// `spi_error` to the call by id and seq (SpiChannel), and drops an answer no
// request waits for any more (its wait was cancelled). Writes go through one FrameWriter, which
// serialises whole frames, so notices and replies from concurrent calls never
// interleave. When the read loop ends (peer closed, protocol error, worker
// stopping) every running call is cancelled and awaited before the socket is
// closed.
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using Kmer.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Kmer.Worker;

/// <summary>Serves one accepted connection: peer check, handshake, then status, calls, cancels and job cancels.</summary>
internal sealed class BridgeConnection
{
    /// <summary>How long a client has to send <c>hello</c> after connecting.</summary>
    internal static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly PeerCredentials _peer;
    private readonly WorkerOptions _options;
    private readonly WorkerInstance _instance;
    private readonly JobRegistry _jobs;
    private readonly IServiceProvider _services;
    private readonly SpillDirectory _spill;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, RunningCall> _calls = new();

    public BridgeConnection(
        Socket socket,
        PeerCredentials peer,
        WorkerOptions options,
        WorkerInstance instance,
        JobRegistry jobs,
        IServiceProvider services,
        ILogger logger)
    {
        _socket = socket;
        _peer = peer;
        _options = options;
        _instance = instance;
        _jobs = jobs;
        _services = services;
        _spill = services.GetRequiredService<SpillDirectory>();
        _logger = logger;
    }

    /// <summary>Serves the connection until the peer closes it, it breaks the protocol, or <paramref name="stoppingToken"/> fires; then closes the socket.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await using var stream = new NetworkStream(_socket, ownsSocket: true);
        var reader = new FrameReader(stream);
        var writer = new FrameWriter(stream);

        PeerKind? kind = PeerPolicy.Classify(_peer.UserName, _options);
        if (kind is not PeerKind peerKind)
        {
            Log.PeerRefused(_logger, _peer.Pid, _peer.UserName, _peer.Uid);
            await TrySendAsync(writer, new Error(
                null,
                SqlStates.InvalidAuthorization,
                $"OS user \"{_peer.UserName}\" may not connect to the kmer worker",
                $"Only the server user \"{_options.ServerUser}\" and the admin users ({string.Join(", ", _options.AdminUsers)}) may connect.",
                "Set Worker:ServerUser or Worker:AdminUsers in the worker's configuration."), stoppingToken).ConfigureAwait(false);
            return;
        }

        if (!await HandshakeAsync(reader, writer, peerKind, stoppingToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await ReadLoopAsync(reader, writer, peerKind, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or InvalidOperationException)
        {
            // The peer went away while we wrote to it (the writer then refuses
            // further use: InvalidOperationException), or the worker is stopping.
        }
        finally
        {
            // The peer is gone, broke the protocol, or the worker is stopping:
            // a closed connection is a cancel for everything still running.
            foreach (RunningCall call in _calls.Values)
            {
                call.Cancel();
            }

            await Task.WhenAll(_calls.Values.Select(c => c.Completion)).ConfigureAwait(false);
            Log.ConnectionClosed(_logger, _peer.Pid);
        }
    }

    private async Task<bool> HandshakeAsync(FrameReader reader, FrameWriter writer, PeerKind peer, CancellationToken stoppingToken)
    {
        BridgeMessage? first;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            timeout.CancelAfter(HandshakeTimeout);
            try
            {
                first = await reader.ReadMessageAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (ProtocolException ex)
            {
                await ProtocolErrorAsync(writer, ex.SqlState, ex.Message, ex.Detail, stoppingToken).ConfigureAwait(false);
                return false;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
            {
                await ProtocolErrorAsync(writer, SqlStates.ProtocolViolation,
                    string.Create(CultureInfo.InvariantCulture, $"no \"hello\" within {HandshakeTimeout.TotalSeconds} seconds of connecting"),
                    null, stoppingToken).ConfigureAwait(false);
                return false;
            }
        }

        switch (first)
        {
            case null:
                return false;
            case Hello hello when hello.Protocol != ProtocolVersion.Current:
                Log.VersionMismatch(_logger, _peer.Pid, hello.Protocol, ProtocolVersion.Current);
                await TrySendAsync(writer, new Error(
                    null,
                    SqlStates.ProtocolViolation,
                    string.Create(CultureInfo.InvariantCulture,
                        $"bridge protocol version mismatch: the client speaks version {hello.Protocol}, the worker speaks version {ProtocolVersion.Current}"),
                    $"Client: {hello.Client}. Worker: {_instance.ServerName}.",
                    "Install matching versions of the pg_kmersearch extension and the kmer worker."), stoppingToken).ConfigureAwait(false);
                return false;
            case Hello hello:
                await writer.WriteMessageAsync(new Welcome(ProtocolVersion.Current, _instance.ServerName, _instance.Pid, peer), stoppingToken).ConfigureAwait(false);
                Log.Handshake(_logger, _peer.Pid, hello.Client, PeerPolicy.Name(peer));
                return true;
            default:
                await ProtocolErrorAsync(writer, SqlStates.ProtocolViolation,
                    $"expected a \"hello\" message first, got \"{first.Type}\"", null, stoppingToken).ConfigureAwait(false);
                return false;
        }
    }

    private async Task ReadLoopAsync(FrameReader reader, FrameWriter writer, PeerKind peer, CancellationToken stoppingToken)
    {
        while (true)
        {
            BridgeMessage? message;
            try
            {
                message = await reader.ReadMessageAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (ProtocolException ex)
            {
                await ProtocolErrorAsync(writer, ex.SqlState, ex.Message, ex.Detail, stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (IOException)
            {
                return;
            }

            switch (message)
            {
                case null:
                    return;
                case StatusRequest:
                    var jobs = _jobs.Snapshot().Select(j => j.ToJobInfo()).ToArray();
                    var status = new StatusResult(_instance.Version, _instance.Pid, _instance.StartedAt, jobs)
                    {
                        Connections = _instance.Connections,
                        MemoryBytes = WorkerInstance.MemoryBytes,
                    };
                    await writer.WriteMessageAsync(status, stoppingToken).ConfigureAwait(false);
                    break;
                case Cancel cancel:
                    if (_calls.TryGetValue(cancel.Id, out RunningCall? running))
                    {
                        Log.CancelRequested(_logger, running.Job.Id, running.Job.Handler);
                        running.Cancel();
                    }

                    // Otherwise the call already ended (its reply may be in flight): nothing to do.
                    break;
                case SpiResult spiResult:
                    DeliverSpiAnswer(spiResult.Id, spiResult.Seq, spiResult);
                    break;
                case SpiError spiError:
                    DeliverSpiAnswer(spiError.Id, spiError.Seq, spiError);
                    break;
                case CancelJob cancelJob:
                    await CancelJobAsync(cancelJob, writer, peer, stoppingToken).ConfigureAwait(false);
                    break;
                case Call call when peer != PeerKind.Server:
                    Log.AdminCallRefused(_logger, _peer.UserName, _peer.Pid, call.Handler);
                    await writer.WriteMessageAsync(new Error(
                        call.Id,
                        SqlStates.InsufficientPrivilege,
                        $"OS user \"{_peer.UserName}\" is an admin user and may only query status or cancel, not call \"{call.Handler}\"",
                        $"Only the server user \"{_options.ServerUser}\" may run calls."), stoppingToken).ConfigureAwait(false);
                    break;
                case Call call when _calls.ContainsKey(call.Id):
                    await ProtocolErrorAsync(writer, SqlStates.ProtocolViolation,
                        string.Create(CultureInfo.InvariantCulture, $"call id {call.Id} is already running on this connection"),
                        null, stoppingToken).ConfigureAwait(false);
                    return;
                case Call call:
                    await StartCallAsync(call, writer, stoppingToken).ConfigureAwait(false);
                    break;
                default:
                    await ProtocolErrorAsync(writer, SqlStates.ProtocolViolation,
                        $"unexpected \"{message.Type}\" message from the client", null, stoppingToken).ConfigureAwait(false);
                    return;
            }
        }
    }

    /// <summary>
    /// Hands an <c>spi_result</c> or <c>spi_error</c> to the call waiting for
    /// it. An answer for a call that has ended, or for a request whose wait was
    /// cancelled, is dropped: the client may send it after a cancel crossed it.
    /// </summary>
    private void DeliverSpiAnswer(long callId, long seq, BridgeMessage answer)
    {
        if (!_calls.TryGetValue(callId, out RunningCall? running) || !running.Spi.TryDeliver(seq, answer))
        {
            Log.StaleSpiAnswer(_logger, answer.Type, callId, seq, _peer.Pid);
        }
    }

    /// <summary>
    /// <c>cancel_job</c>: cancels a job of any connection by its id. The
    /// call's own task then ends it with 57014 on its connection and removes
    /// the job; this only requests the cancellation and answers at once.
    /// </summary>
    private async Task CancelJobAsync(CancelJob request, FrameWriter writer, PeerKind peer, CancellationToken stoppingToken)
    {
        bool cancelled = _jobs.TryGet(request.Job, out Job? job) && job.TryCancel();
        Log.CancelJobRequested(_logger, request.Job, PeerPolicy.Name(peer), _peer.UserName, _peer.Pid,
            cancelled ? "cancelling " + job!.Handler : "no such job running");
        await writer.WriteMessageAsync(new CancelJobResult(request.Job, cancelled), stoppingToken).ConfigureAwait(false);
    }

    private async Task StartCallAsync(Call call, FrameWriter writer, CancellationToken stoppingToken)
    {
        ICallHandler? handler = _services.GetKeyedService<ICallHandler>(call.Handler);
        if (handler is null)
        {
            Log.UnknownHandler(_logger, call.Id, call.Handler, _peer.Pid);
            await writer.WriteMessageAsync(new Error(
                call.Id,
                SqlStates.UndefinedFunction,
                $"kmer worker has no handler named \"{call.Handler}\"",
                null,
                "The extension and the worker may be of different versions."), stoppingToken).ConfigureAwait(false);
            return;
        }

        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Job job = _jobs.Start(call.Handler, call.Context.BackendPid, cancellation);
        var running = new RunningCall(job, new SpiChannel(call.Id, writer));
        _calls[call.Id] = running;
        Log.JobStarted(_logger, job.Id, job.Handler, job.CallerPid);
        running.Completion = Task.Run(() => RunCallAsync(call, handler, running, writer, stoppingToken), CancellationToken.None);
    }

    private async Task RunCallAsync(Call call, ICallHandler handler, RunningCall running, FrameWriter writer, CancellationToken stoppingToken)
    {
        Job job = running.Job;
        BridgeMessage reply;
        string outcome;
        try
        {
            var context = new HandlerContext(call, job, writer, running.Spi);
            object? value = await handler.InvokeAsync(context, job.Cancellation.Token).ConfigureAwait(false);
            if (running.Spi.Failure is SpiFailedException spiFailure)
            {
                // The handler caught the failure, but the caller's transaction is aborted.
                Log.ResultAfterSpiError(_logger, job.Id, job.Handler, spiFailure.Seq, spiFailure.SqlState);
                reply = new Error(call.Id, spiFailure.SqlState, spiFailure.Message, spiFailure.Detail, spiFailure.Hint);
                outcome = "error " + spiFailure.SqlState;
            }
            else
            {
                reply = new Result(call.Id, value);
                outcome = "done";
            }
        }
        catch (OperationCanceledException) when (job.Cancellation.IsCancellationRequested)
        {
            reply = stoppingToken.IsCancellationRequested
                ? new Error(call.Id, SqlStates.AdminShutdown, $"terminating \"{call.Handler}\" because the kmer worker is shutting down")
                : new Error(call.Id, SqlStates.QueryCanceled, $"canceling \"{call.Handler}\" due to a cancel request");
            outcome = "cancelled";
        }
        catch (CallFailedException ex)
        {
            reply = new Error(call.Id, ex.SqlState, ex.Message, ex.Detail, ex.Hint);
            outcome = "error " + ex.SqlState;
        }
        catch (ProtocolException ex)
        {
            reply = new Error(call.Id, ex.SqlState, ex.Message, ex.Detail, ex.Hint);
            outcome = "error " + ex.SqlState;
        }
        catch (PostgresException ex)
        {
            // An error from a worker session (DatabaseSessions) crosses as PostgreSQL raised it.
            reply = new Error(call.Id, ex.SqlState, ex.MessageText, ex.Detail, ex.Hint);
            outcome = "error " + ex.SqlState;
        }
        catch (Exception ex)
        {
            Log.JobFailed(_logger, job.Id, job.Handler, ex);
            reply = new Error(call.Id, SqlStates.InternalError, ex.Message);
            outcome = "error " + SqlStates.InternalError;
        }
        finally
        {
            // The job's temporary files go with it, before the caller hears the call has ended.
            _spill.ReleaseJob(job);
            _jobs.Remove(job);
        }

        try
        {
            await SendReplyAsync(writer, reply).ConfigureAwait(false);
        }
        finally
        {
            _calls.TryRemove(call.Id, out _);
            running.Dispose();
            Log.JobEnded(_logger, job.Id, job.Handler, outcome);
        }
    }

    /// <summary>Sends the message that ends a call; a value that cannot be sent ends it with an error instead.</summary>
    private async Task SendReplyAsync(FrameWriter writer, BridgeMessage reply)
    {
        // Not cancellable: the call must end with a reply even while the worker stops.
        // A peer that is gone makes the write fail at once.
        long id = reply is Result r ? r.Id : ((Error)reply).Id ?? 0;
        try
        {
            try
            {
                await writer.WriteMessageAsync(reply, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ProtocolException ex)
            {
                await writer.WriteMessageAsync(new Error(id, ex.SqlState, ex.Message, ex.Detail, ex.Hint), CancellationToken.None).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                await writer.WriteMessageAsync(new Error(id, SqlStates.InternalError, "the handler's result cannot cross the bridge", ex.Message), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or SocketException)
        {
            Log.ReplyLost(_logger, id, ex);
        }
    }

    private async Task ProtocolErrorAsync(FrameWriter writer, string sqlState, string message, string? detail, CancellationToken cancellationToken)
    {
        Log.ProtocolError(_logger, _peer.Pid, sqlState, message);
        await TrySendAsync(writer, new Error(null, sqlState, message, detail), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a last message before closing; the peer may already be gone.</summary>
    private async Task TrySendAsync(FrameWriter writer, BridgeMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await writer.WriteMessageAsync(message, cancellationToken).ConfigureAwait(false);
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            Log.ReplyLost(_logger, 0, ex);
        }
    }

    /// <summary>A call in progress on this connection.</summary>
    private sealed class RunningCall : IDisposable
    {
        public RunningCall(Job job, SpiChannel spi)
        {
            Job = job;
            Spi = spi;
        }

        public Job Job { get; }

        public SpiChannel Spi { get; }

        public Task Completion { get; set; } = Task.CompletedTask;

        public void Cancel() => Job.TryCancel();

        public void Dispose() => Job.Cancellation.Dispose();
    }
}
