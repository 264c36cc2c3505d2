namespace Kmer.Cli.Tests;

/// <summary>A clock stopped at <see cref="Now"/>: 3 h 1 min 5 s after <see cref="FakeWorker.StartedAt"/>.</summary>
internal sealed class FixedTime : TimeProvider
{
    public static readonly DateTimeOffset Now = FakeWorker.StartedAt + new TimeSpan(3, 1, 5);

    public override DateTimeOffset GetUtcNow() => Now;
}
