using MessagePack;

namespace Kmer.Protocol;

/// <summary>
/// <c>cancel_job</c>, client → worker: cancel a running job of any connection
/// (admin or server peer); the worker answers with <see cref="CancelJobResult"/>.
/// </summary>
/// <param name="Job">The job id, as <see cref="JobInfo.Job"/> lists it.</param>
public sealed record CancelJob(long Job) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "cancel_job";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 1;

    private protected override void WriteFields(ref MessagePackWriter writer) =>
        WireWriter.Int64(ref writer, "job", Job);

    internal static CancelJob Read(FieldMap fields) => new(fields.Int64("job"));
}
