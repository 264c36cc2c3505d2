using MessagePack;

namespace Kmer.Protocol;

/// <summary><c>cancel</c>, client → worker: stop the call; the worker ends it with <see cref="Error"/> <c>57014</c>.</summary>
/// <param name="Id">The call to stop.</param>
public sealed record Cancel(long Id) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "cancel";

    /// <summary>SQLSTATE of the error that ends a cancelled call (query_canceled).</summary>
    public const string QueryCanceled = "57014";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 1;

    private protected override void WriteFields(ref MessagePackWriter writer) =>
        WireWriter.Int64(ref writer, "id", Id);

    internal static Cancel Read(FieldMap fields) => new(fields.Int64("id"));
}
