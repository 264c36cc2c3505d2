using Kmer.Protocol;

namespace Kmer.Cli;

/// <summary>What a worker pool said about itself: its <c>welcome</c> and its <c>status_result</c>.</summary>
/// <param name="SocketPath">The socket the worker was reached on.</param>
/// <param name="Welcome">The worker's answer to <c>hello</c>.</param>
/// <param name="Status">The worker's answer to <c>status</c>.</param>
/// <param name="ObservedAt">When the answer arrived; uptime and job durations are measured to it.</param>
public sealed record WorkerStatus(string SocketPath, Welcome Welcome, StatusResult Status, DateTimeOffset ObservedAt)
{
    /// <summary>How long the worker has been up, never negative.</summary>
    public TimeSpan Uptime => Since(Status.StartedAt);

    /// <summary>How long <paramref name="job"/> has been running, never negative.</summary>
    public TimeSpan RunningFor(JobInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Since(job.StartedAt);
    }

    // Clocks of two processes on one host can still disagree by a little.
    private TimeSpan Since(DateTimeOffset start) =>
        start > ObservedAt ? TimeSpan.Zero : ObservedAt - start;
}
