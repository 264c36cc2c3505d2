using MessagePack;

namespace Kmer.Protocol;

/// <summary><c>hello</c>, client → worker, the first message on a connection.</summary>
/// <param name="Protocol">The protocol version the client speaks (<see cref="ProtocolVersion.Current"/>).</param>
/// <param name="Client">The client's name and version, e.g. <c>pg_kmersearch 1.0.2026.11.24</c>.</param>
/// <param name="Pid">The client's process id (the backend pid).</param>
public sealed record Hello(int Protocol, string Client, int Pid) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "hello";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 3;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
        WireWriter.Int64(ref writer, "protocol", Protocol);
        WireWriter.String(ref writer, "client", Client, TypeName);
        WireWriter.Int64(ref writer, "pid", Pid);
    }

    internal static Hello Read(FieldMap fields) =>
        new(fields.Int32("protocol"), fields.String("client"), fields.Int32("pid"));
}
