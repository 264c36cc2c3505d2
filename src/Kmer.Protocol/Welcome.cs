using MessagePack;

namespace Kmer.Protocol;

/// <summary><c>welcome</c>, worker → client, the answer to <see cref="Hello"/>.</summary>
/// <param name="Protocol">The protocol version the worker speaks.</param>
/// <param name="Server">The worker's name and version.</param>
/// <param name="Pid">The worker's process id.</param>
/// <param name="Peer">Who the worker recognised the client as.</param>
public sealed record Welcome(int Protocol, string Server, int Pid, PeerKind Peer) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "welcome";

    private static readonly Dictionary<string, PeerKind> Peers = new(StringComparer.Ordinal)
    {
        ["server"] = PeerKind.Server,
        ["admin"] = PeerKind.Admin,
    };

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 4;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
        WireWriter.Int64(ref writer, "protocol", Protocol);
        WireWriter.String(ref writer, "server", Server, TypeName);
        WireWriter.Int64(ref writer, "pid", Pid);
        WireWriter.String(ref writer, "peer", Peer switch
        {
            PeerKind.Server => "server",
            PeerKind.Admin => "admin",
            _ => throw new ArgumentOutOfRangeException(nameof(Peer), Peer, "Unknown peer kind."),
        }, TypeName);
    }

    internal static Welcome Read(FieldMap fields) =>
        new(fields.Int32("protocol"), fields.String("server"), fields.Int32("pid"), fields.Choice("peer", Peers));
}
