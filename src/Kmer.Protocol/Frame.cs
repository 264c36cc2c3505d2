namespace Kmer.Protocol;

/// <summary>
/// Framing constants: a frame is a 4-byte unsigned big-endian length N
/// followed by N bytes that hold exactly one MessagePack value.
/// </summary>
public static class Frame
{
    /// <summary>Size of the length word that starts every frame.</summary>
    public const int HeaderLength = 4;

    /// <summary>The smallest valid payload length.</summary>
    public const int MinLength = 1;

    /// <summary>The largest valid payload length: 64 MiB.</summary>
    public const int MaxLength = 64 * 1024 * 1024;
}
