using MessagePack;

namespace Kmer.Protocol;

/// <summary><c>status_result</c>, worker → client: the worker's state.</summary>
/// <param name="Version">The worker's version.</param>
/// <param name="Pid">The worker's process id.</param>
/// <param name="StartedAt">When the worker started (ISO 8601 on the wire).</param>
/// <param name="Jobs">The running jobs.</param>
/// <remarks>
/// <see cref="Connections"/> and <see cref="MemoryBytes"/> are optional keys
/// (missing or nil is null), so older peers stay compatible.
/// </remarks>
public sealed record StatusResult(string Version, int Pid, DateTimeOffset StartedAt, IReadOnlyList<JobInfo> Jobs) : BridgeMessage
{
    /// <summary>The client connections the worker serves, this one included (<c>connections</c>).</summary>
    public long? Connections { get; init; }

    /// <summary>The worker process's resident memory in bytes (<c>memory_bytes</c>).</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "status_result";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 6;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
        WireWriter.Required(Jobs, "jobs", TypeName);
        WireWriter.String(ref writer, "version", Version, TypeName);
        WireWriter.Int64(ref writer, "pid", Pid);
        WireWriter.Timestamp(ref writer, "started_at", StartedAt);
        WireWriter.NullableInt64(ref writer, "connections", Connections);
        WireWriter.NullableInt64(ref writer, "memory_bytes", MemoryBytes);
        writer.Write("jobs");
        writer.WriteArrayHeader(Jobs.Count);
        foreach (JobInfo job in Jobs)
        {
            WireWriter.Required(job, "jobs", TypeName);
            job.WriteTo(ref writer);
        }
    }

    internal static StatusResult Read(FieldMap fields) =>
        new(fields.String("version"),
            fields.Int32("pid"),
            fields.Timestamp("started_at"),
            fields.MapArray("jobs").Select(JobInfo.Read).ToArray())
        {
            Connections = fields.OptionalInt64("connections"),
            MemoryBytes = fields.OptionalInt64("memory_bytes"),
        };
}
