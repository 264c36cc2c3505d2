using MessagePack;

namespace Kmer.Protocol;

/// <summary>One running job in a <see cref="StatusResult"/>.</summary>
/// <param name="Job">The job id.</param>
/// <param name="Handler">The handler it runs.</param>
/// <param name="CallerPid">The backend pid of the session that called it.</param>
/// <param name="Progress">The fraction done, 0 to 1, or null when unknown.</param>
/// <param name="StartedAt">When it started.</param>
public sealed record JobInfo(long Job, string Handler, int CallerPid, double? Progress, DateTimeOffset StartedAt)
{
    private const string Where = "status_result";

    internal void WriteTo(ref MessagePackWriter writer)
    {
        writer.WriteMapHeader(5);
        WireWriter.Int64(ref writer, "job", Job);
        WireWriter.String(ref writer, "handler", Handler, Where);
        WireWriter.Int64(ref writer, "caller_pid", CallerPid);
        WireWriter.NullableDouble(ref writer, "progress", Progress);
        WireWriter.Timestamp(ref writer, "started_at", StartedAt);
    }

    internal static JobInfo Read(FieldMap fields)
    {
        double? progress = fields.NullableDouble("progress");
        if (progress is double p && !(p >= 0 && p <= 1))
        {
            throw ProtocolException.Violation($"progress {p} in {fields.Where} is not between 0 and 1");
        }

        return new(fields.Int64("job"), fields.String("handler"), fields.Int32("caller_pid"), progress, fields.Timestamp("started_at"));
    }
}
