using MessagePack;

namespace Kmer.Protocol;

/// <summary><c>status</c>, client → worker: ask for a <see cref="StatusResult"/> (admin or server peer only).</summary>
public sealed record StatusRequest : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "status";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 0;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
    }

    internal static StatusRequest Read(FieldMap fields) => new();
}
