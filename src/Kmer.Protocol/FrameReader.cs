using System.Buffers;
using System.Buffers.Binary;

namespace Kmer.Protocol;

/// <summary>
/// Reads frames (a 4-byte big-endian length, then that many bytes holding one
/// MessagePack value) from a stream, and decodes them into messages.
/// </summary>
/// <remarks>
/// One reader per connection, used by one reader at a time; it does not own
/// the stream. End of stream between frames is the peer's clean close (the
/// read methods return null); end of stream inside a frame and every
/// malformed frame throw <see cref="ProtocolException"/> with SQLSTATE 08P01.
/// After any failure other than a cancellation before the first byte of a
/// frame, the stream position is unknown and the reader refuses further use:
/// the connection must be closed.
/// </remarks>
public sealed class FrameReader
{
    private readonly Stream _stream;
    private readonly byte[] _header = new byte[Frame.HeaderLength];
    private bool _failed;

    /// <summary>Creates a reader over <paramref name="stream"/>, which it does not dispose.</summary>
    public FrameReader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        _stream = stream;
    }

    /// <summary>
    /// Reads the next frame's payload, checked to hold exactly one well-formed
    /// MessagePack value; null when the peer closed the stream between frames.
    /// </summary>
    /// <exception cref="ProtocolException">SQLSTATE 08P01: a malformed or truncated frame.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<byte[]?> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        CheckUsable();
        bool started = false;
        try
        {
            int length = await ReadHeaderAsync(() => started = true, cancellationToken).ConfigureAwait(false);
            if (length == 0)
            {
                return null;
            }

            byte[] payload = new byte[length];
            await ReadPayloadAsync(payload, cancellationToken).ConfigureAwait(false);
            MessagePackValues.CheckSingleValue(payload);
            return payload;
        }
        catch (Exception ex) when (started || ex is not OperationCanceledException)
        {
            _failed = true;
            throw;
        }
    }

    /// <summary>Reads and decodes the next message; null when the peer closed the stream between frames.</summary>
    /// <exception cref="ProtocolException">SQLSTATE 08P01: a malformed or truncated frame, or an invalid message.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<BridgeMessage?> ReadMessageAsync(CancellationToken cancellationToken = default)
    {
        CheckUsable();
        bool started = false;
        try
        {
            int length = await ReadHeaderAsync(() => started = true, cancellationToken).ConfigureAwait(false);
            if (length == 0)
            {
                return null;
            }

            // Decoded messages copy everything out of the payload, so it can be pooled.
            byte[] payload = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                Memory<byte> frame = payload.AsMemory(0, length);
                await ReadPayloadAsync(frame, cancellationToken).ConfigureAwait(false);
                return MessageCodec.Decode(frame);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(payload);
            }
        }
        catch (Exception ex) when (started || ex is not OperationCanceledException)
        {
            _failed = true;
            throw;
        }
    }

    private void CheckUsable()
    {
        if (_failed)
        {
            throw new InvalidOperationException("An earlier read on this connection failed; the connection must be closed.");
        }
    }

    /// <summary>Reads the length word: 0 at a clean end of stream, else the validated payload length.</summary>
    private async ValueTask<int> ReadHeaderAsync(Action started, CancellationToken cancellationToken)
    {
        int got = 0;
        while (got < Frame.HeaderLength)
        {
            int n = await _stream.ReadAsync(_header.AsMemory(got), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                if (got == 0)
                {
                    return 0;
                }

                throw ProtocolException.Violation(
                    $"connection closed inside a frame",
                    $"The stream ended after {got} of the {Frame.HeaderLength} bytes of a frame's length word.");
            }

            if (got == 0)
            {
                started();
            }

            got += n;
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(_header);
        if (length < Frame.MinLength)
        {
            throw ProtocolException.Violation(
                $"invalid frame length 0",
                $"A frame holds one MessagePack value of {Frame.MinLength} to {Frame.MaxLength} bytes.");
        }

        if (length > Frame.MaxLength)
        {
            throw ProtocolException.Violation(
                $"frame length {length} exceeds the limit of {Frame.MaxLength} bytes",
                $"A frame holds one MessagePack value of {Frame.MinLength} to {Frame.MaxLength} bytes.");
        }

        return (int)length;
    }

    private async ValueTask ReadPayloadAsync(Memory<byte> payload, CancellationToken cancellationToken)
    {
        int got = 0;
        while (got < payload.Length)
        {
            int n = await _stream.ReadAsync(payload[got..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw ProtocolException.Violation(
                    $"connection closed inside a frame",
                    $"The stream ended after {got} of the {payload.Length} bytes of a frame.");
            }

            got += n;
        }
    }
}
