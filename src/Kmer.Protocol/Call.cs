using MessagePack;

namespace Kmer.Protocol;

/// <summary><c>call</c>, client → worker: run a handler for a bridged SQL function.</summary>
/// <param name="Id">The call id, unique per connection.</param>
/// <param name="Handler">The .NET handler the function body names.</param>
/// <param name="Args">
/// The arguments in the order of the SQL function's parameters, as MessagePack
/// natives: null for SQL NULL, bool, integers (read back as <see cref="long"/>),
/// floating point (read back as <see cref="double"/>), strings, arrays of those.
/// </param>
/// <param name="Context">The caller's session.</param>
public sealed record Call(long Id, string Handler, IReadOnlyList<object?> Args, CallContext Context) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "call";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 4;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
        WireWriter.Int64(ref writer, "id", Id);
        WireWriter.String(ref writer, "handler", Handler, TypeName);
        WireWriter.Values(ref writer, "args", Args, TypeName);
        WireWriter.Required(Context, "context", TypeName);
        writer.Write("context");
        Context.WriteTo(ref writer);
    }

    internal static Call Read(FieldMap fields) =>
        new(fields.Int64("id"), fields.String("handler"), fields.Array("args"), CallContext.Read(fields.Map("context")));
}
