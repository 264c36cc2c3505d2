using Kmer.Core.Counting;

namespace Kmer.Worker.Analysis;

/// <summary>
/// Keeps the pool's resident memory near one analysis's counting memory when
/// analyses of different shapes follow each other.
/// </summary>
/// <remarks>
/// After an analysis the runtime keeps the memory of its collected tables and
/// arrays committed, and the next analysis of the same shape (dense at the
/// same width, or sparse) counts in it again without faulting pages in. An
/// analysis of another shape allocates arrays or tables of other sizes that
/// do not fit there, so its memory would come on top of the kept memory: up
/// to twice the limit. Before such an analysis, an aggressive collection
/// (compacting, and decommitting what it frees) gives the kept memory back
/// first.
/// </remarks>
internal static class CountingMemory
{
    // The last analysis's shape: 0 none yet, -1 sparse, else the dense key bits.
    private static int _lastShape;

    /// <summary>The shape of a counter with these options: its key bits when dense, -1 when sparse.</summary>
    public static int ShapeOf(KeyCountingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return KeyCounter.UsesDense(options.KeyBits, options.MemoryLimitBytes) ? options.KeyBits : -1;
    }

    /// <summary>
    /// Called before a counter with <paramref name="options"/> is created:
    /// when the previous analysis had another shape, compacts the heap so
    /// that the memory it kept goes back to the system. Returns whether it did.
    /// </summary>
    public static bool PrepareFor(KeyCountingOptions options)
    {
        int shape = ShapeOf(options);
        int last = Interlocked.Exchange(ref _lastShape, shape);
        if (last == 0 || last == shape)
        {
            return false;
        }

        KeyCounter.ReleaseKeptArrays();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return true;
    }
}
