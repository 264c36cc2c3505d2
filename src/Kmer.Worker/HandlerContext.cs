using Kmer.Protocol;

namespace Kmer.Worker;

/// <summary>What a handler gets besides its token: the call, its job, and the way back to the caller.</summary>
public sealed class HandlerContext
{
    private readonly FrameWriter _writer;

    internal HandlerContext(Call call, Job job, FrameWriter writer)
    {
        Call = call;
        Job = job;
        _writer = writer;
    }

    /// <summary>The call message: handler, arguments and the caller's session.</summary>
    public Call Call { get; }

    /// <summary>The job this call runs as.</summary>
    public Job Job { get; }

    /// <summary>Sets the job's progress shown by <c>status</c> (0 to 1, or null when unknown).</summary>
    public void ReportProgress(double? fraction) => Job.Progress = fraction;

    /// <summary>Sends a <c>notice</c> for this call, raised in the caller's session at <paramref name="level"/>.</summary>
    public ValueTask SendNoticeAsync(NoticeLevel level, string message, string? detail = null, string? hint = null, CancellationToken cancellationToken = default) =>
        _writer.WriteMessageAsync(new Notice(Call.Id, level, message, detail, hint), cancellationToken);
}
