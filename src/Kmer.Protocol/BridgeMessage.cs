using MessagePack;

namespace Kmer.Protocol;

/// <summary>
/// One bridge message: a MessagePack map with string keys whose <c>type</c>
/// key names the message. The derived records are the messages of
/// docs/protocol.md; <see cref="MessageCodec"/> converts them to and from bytes.
/// </summary>
/// <remarks>
/// Records compare collections by reference; compare messages by their
/// encoded bytes when structural equality is needed.
/// </remarks>
public abstract record BridgeMessage
{
    private protected BridgeMessage()
    {
    }

    /// <summary>The value of the <c>type</c> key, e.g. <c>call</c>.</summary>
    public abstract string Type { get; }

    /// <summary>Number of map entries <see cref="WriteFields"/> writes, besides <c>type</c>.</summary>
    private protected abstract int FieldCount { get; }

    /// <summary>Writes the whole message: the map header, <c>type</c> first, then the fields in the order of the doc.</summary>
    internal void WriteTo(ref MessagePackWriter writer)
    {
        writer.WriteMapHeader(FieldCount + 1);
        writer.Write("type");
        writer.Write(Type);
        WriteFields(ref writer);
    }

    /// <summary>Writes the key/value pairs of the message's own fields.</summary>
    private protected abstract void WriteFields(ref MessagePackWriter writer);
}
