namespace Kmer.Worker;

/// <summary>A job's own directory under the <see cref="SpillDirectory"/>; disposing it removes the directory and everything in it.</summary>
public sealed class SpillLease : IDisposable
{
    private readonly SpillDirectory _owner;
    private int _disposed;

    internal SpillLease(SpillDirectory owner, Job job, string path)
    {
        _owner = owner;
        Job = job;
        Path = path;
    }

    /// <summary>The directory's absolute path.</summary>
    public string Path { get; }

    /// <summary>The job it belongs to.</summary>
    public Job Job { get; }

    /// <summary>Removes the directory recursively (once; a failure is logged and left for <c>kmersearch_delete_tempfiles</c>).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _owner.Release(this);
        }
    }
}
