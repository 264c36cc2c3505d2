using Kmer.Protocol;

namespace Kmer.Worker;

/// <summary>
/// The SPI requests of one call: numbers them (<c>seq</c> 1, 2, …), sends
/// them, and hands each its <c>spi_result</c> or <c>spi_error</c>, which the
/// connection's read loop delivers with <see cref="TryDeliver"/>. At most one
/// request is outstanding; an answer nobody waits for any more (its wait was
/// cancelled) is refused, and the read loop ignores it. Thread-safe.
/// </summary>
internal sealed class SpiChannel
{
    private readonly long _callId;
    private readonly FrameWriter _writer;
    private readonly Lock _lock = new();
    private long _lastSeq;
    private long _waitingSeq;
    private string? _waitingSql;
    private TaskCompletionSource<BridgeMessage>? _waiting;
    private SpiFailedException? _failure;

    public SpiChannel(long callId, FrameWriter writer)
    {
        _callId = callId;
        _writer = writer;
    }

    /// <summary>The first <c>spi_error</c> of the call, or null while every statement succeeded.</summary>
    public SpiFailedException? Failure
    {
        get
        {
            lock (_lock)
            {
                return _failure;
            }
        }
    }

    /// <summary>Sends one <c>spi</c> and waits for its answer.</summary>
    public async ValueTask<SpiResult> ExecuteAsync(
        string sql,
        IReadOnlyList<object?> parameters,
        IReadOnlyList<string> parameterTypes,
        bool readOnly,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(parameterTypes);
        if (parameters.Count != parameterTypes.Count)
        {
            throw new ArgumentException(
                $"An SPI request needs one type name per parameter; got {parameters.Count} parameters and {parameterTypes.Count} types.",
                nameof(parameterTypes));
        }

        cancellationToken.ThrowIfCancellationRequested();
        long seq;
        TaskCompletionSource<BridgeMessage> answer;
        lock (_lock)
        {
            if (_failure is SpiFailedException failed)
            {
                throw new SpiFailedException(
                    SpiFailedException.InFailedSqlTransaction,
                    "current transaction is aborted, SPI requests are refused until the call ends",
                    $"SPI request {failed.Seq} of this call failed with SQLSTATE {failed.SqlState}: {failed.Message}",
                    hint: null,
                    seq: _lastSeq + 1,
                    sql);
            }

            if (_waiting is not null)
            {
                throw new InvalidOperationException(
                    $"Call {_callId} is still waiting for the answer to SPI request {_waitingSeq}; a call may have only one SPI request outstanding.");
            }

            seq = ++_lastSeq;
            answer = new TaskCompletionSource<BridgeMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting = answer;
            _waitingSeq = seq;
            _waitingSql = sql;
        }

        try
        {
            await _writer.WriteMessageAsync(new SpiRequest(_callId, seq, sql, parameters, parameterTypes, readOnly), cancellationToken).ConfigureAwait(false);
            BridgeMessage message = await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return message switch
            {
                SpiResult result => result,
                SpiError error => throw Failure ?? SpiFailedException.From(error, sql),
                _ => throw new InvalidOperationException($"Unexpected answer \"{message.Type}\" to an SPI request."),
            };
        }
        finally
        {
            lock (_lock)
            {
                if (_waitingSeq == seq)
                {
                    _waiting = null;
                    _waitingSeq = 0;
                    _waitingSql = null;
                }
            }
        }
    }

    /// <summary>
    /// Hands <paramref name="answer"/> (a <see cref="SpiResult"/> or
    /// <see cref="SpiError"/>) to the request <paramref name="seq"/>; false
    /// when no request of that seq is waiting.
    /// </summary>
    public bool TryDeliver(long seq, BridgeMessage answer)
    {
        TaskCompletionSource<BridgeMessage> waiting;
        lock (_lock)
        {
            if (_waiting is null || _waitingSeq != seq)
            {
                return false;
            }

            waiting = _waiting;
            if (answer is SpiError error)
            {
                // Recorded here, not by the waiter, so a cancellation racing
                // with the answer cannot lose the fact that the transaction is aborted.
                _failure ??= SpiFailedException.From(error, _waitingSql!);
            }

            _waiting = null;
            _waitingSeq = 0;
            _waitingSql = null;
        }

        waiting.TrySetResult(answer);
        return true;
    }
}
