using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Kmer.Protocol;

/// <summary>
/// Writes frames (a 4-byte big-endian length, then the payload) to a stream,
/// one whole frame per call, then flushes.
/// </summary>
/// <remarks>
/// Safe for concurrent callers: frames are written one at a time, never
/// interleaved. It does not own the stream. A message too large for a frame
/// is refused before anything is written (SQLSTATE 54000); after a failure
/// or cancellation part-way through a frame the writer refuses further use,
/// since the peer can no longer find the frame boundaries.
/// </remarks>
public sealed class FrameWriter
{
    private readonly Stream _stream;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private bool _failed;

    /// <summary>Creates a writer over <paramref name="stream"/>, which it does not dispose.</summary>
    public FrameWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream cannot be written.", nameof(stream));
        }

        _stream = stream;
    }

    /// <summary>Encodes <paramref name="message"/> and writes it as one frame.</summary>
    /// <exception cref="ProtocolException">SQLSTATE 54000: the message does not fit in a frame; nothing was written.</exception>
    /// <exception cref="ArgumentException">The message has a null required field or a value that cannot cross the bridge.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask WriteMessageAsync(BridgeMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);

        // Encode after a blank length word, then fill it in: one write per frame.
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.GetSpan(Frame.HeaderLength)[..Frame.HeaderLength].Clear();
        buffer.Advance(Frame.HeaderLength);
        MessageCodec.Encode(message, buffer);
        int length = buffer.WrittenCount - Frame.HeaderLength;
        CheckLength(length, message.Type);

        Memory<byte> frame = MemoryMarshal.AsMemory(buffer.WrittenMemory);
        BinaryPrimitives.WriteUInt32BigEndian(frame.Span, (uint)length);
        await WriteAsync(frame, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="payload"/> (one encoded MessagePack value) as one frame.</summary>
    /// <exception cref="ArgumentException">The payload is empty.</exception>
    /// <exception cref="ProtocolException">SQLSTATE 54000: the payload is longer than <see cref="Frame.MaxLength"/>; nothing was written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask WriteFrameAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (payload.IsEmpty)
        {
            throw new ArgumentException("A frame cannot be empty.", nameof(payload));
        }

        CheckLength(payload.Length, what: null);
        byte[] header = new byte[Frame.HeaderLength];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)payload.Length);
        await WriteAsync(header, payload, cancellationToken).ConfigureAwait(false);
    }

    private static void CheckLength(int length, string? what)
    {
        if (length > Frame.MaxLength)
        {
            throw new ProtocolException(
                ProtocolException.ProgramLimitExceeded,
                what is null ? "bridge frame is too large" : $"\"{what}\" message is too large for the bridge",
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"It takes {length} bytes; a frame holds at most {Frame.MaxLength}."));
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_failed)
            {
                throw new InvalidOperationException("An earlier write on this connection failed; the connection must be closed.");
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await _stream.WriteAsync(first, cancellationToken).ConfigureAwait(false);
                if (!second.IsEmpty)
                {
                    await _stream.WriteAsync(second, cancellationToken).ConfigureAwait(false);
                }

                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _failed = true;
                throw;
            }
        }
        finally
        {
            _lock.Release();
        }
    }
}
