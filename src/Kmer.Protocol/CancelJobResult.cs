using MessagePack;

namespace Kmer.Protocol;

/// <summary><c>cancel_job_result</c>, worker → client: the answer to <see cref="CancelJob"/>.</summary>
/// <param name="Job">The job id that was asked for.</param>
/// <param name="Cancelled">
/// True when a running job with that id was found and its cancellation
/// requested (its call then ends with <see cref="Error"/> <c>57014</c>);
/// false when no such job is running.
/// </param>
public sealed record CancelJobResult(long Job, bool Cancelled) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "cancel_job_result";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 2;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
        WireWriter.Int64(ref writer, "job", Job);
        WireWriter.Boolean(ref writer, "cancelled", Cancelled);
    }

    internal static CancelJobResult Read(FieldMap fields) => new(fields.Int64("job"), fields.Boolean("cancelled"));
}
