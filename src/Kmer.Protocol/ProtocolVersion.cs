namespace Kmer.Protocol;

/// <summary>The bridge protocol version this assembly speaks (docs/protocol.md).</summary>
/// <remarks>
/// Both sides state it in the first exchange (<see cref="Hello"/>,
/// <see cref="Welcome"/>); a mismatch is an error, never a hang.
/// </remarks>
public static class ProtocolVersion
{
    /// <summary>Version 1: the frames and messages of docs/protocol.md.</summary>
    public const int Current = 1;
}
