using System.Buffers;
using System.Text;

namespace Kmer.Core;

/// <summary>
/// A string's UTF-8 bytes in a caller-provided stack buffer when they fit,
/// else in a pooled array returned on <see cref="Dispose"/>. Text is checked
/// as UTF-8 because error offsets count bytes, as the C extension's do.
/// </summary>
internal ref struct PooledUtf8
{
    /// <summary>Size of the stack buffer callers pass.</summary>
    public const int StackBufferSize = 512;

    private byte[]? _rented;

    public PooledUtf8(string text, Span<byte> stackBuffer)
    {
        int byteCount = Encoding.UTF8.GetByteCount(text);
        Span<byte> buffer = byteCount <= stackBuffer.Length
            ? stackBuffer
            : (_rented = ArrayPool<byte>.Shared.Rent(byteCount));
        Bytes = buffer[..Encoding.UTF8.GetBytes(text, buffer)];
    }

    public ReadOnlySpan<byte> Bytes { get; }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
