namespace Kmer.Core.Counting;

/// <summary>
/// The dense strategy's counter arrays, kept all zeros between counters of
/// the same width, so that the next analysis at the same k and b neither
/// zeroes nor faults in its hundreds of MiB again.
/// </summary>
/// <remarks>
/// <para>
/// A counter's selection leaves its arrays zeroed as it reads them (the cache
/// lines are there anyway) and hands them back; a counter disposed before its
/// selection completed drops its arrays instead, so an array taken from here
/// is always clean. Only arrays of one length are kept: asking for another
/// length lets go of them, and so does <see cref="Release"/>, which a sparse
/// counter calls before it fills its memory limit with tables.
/// </para>
/// <para>
/// Kept arrays are let go of <see cref="IdleRelease"/> after the last one was
/// handed back, followed by an aggressive collection that returns the memory
/// to the system, so an idle worker does not hold them.
/// </para>
/// </remarks>
internal static class KeptCounterArrays
{
    /// <summary>How long arrays are kept after the last one was handed back.</summary>
    public static readonly TimeSpan IdleRelease = TimeSpan.FromSeconds(60);

    private static readonly Lock Gate = new();
    private static readonly Stack<uint[]> Kept = new();
    private static readonly Timer IdleTimer = new(static _ => ReleaseIdle(), null, Timeout.Infinite, Timeout.Infinite);

    /// <summary>Bytes kept now.</summary>
    public static long Bytes
    {
        get
        {
            lock (Gate)
            {
                return Kept.Sum(static a => a.LongLength * sizeof(uint));
            }
        }
    }

    /// <summary>A zeroed array of <paramref name="length"/> counters: a kept one, or a new one with every page written.</summary>
    public static uint[] Rent(int length)
    {
        lock (Gate)
        {
            if (Kept.TryPeek(out uint[]? top) && top.Length != length)
            {
                Kept.Clear();
            }

            if (Kept.TryPop(out uint[]? kept))
            {
                return kept;
            }
        }

        return WrittenArray.Zeroed<uint>(length);
    }

    /// <summary>Keeps <paramref name="array"/>, which the caller has zeroed, for the next <see cref="Rent"/> of its length.</summary>
    public static void Return(uint[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        lock (Gate)
        {
            if (Kept.TryPeek(out uint[]? top) && top.Length != array.Length)
            {
                Kept.Clear();
            }

            Kept.Push(array);
            IdleTimer.Change(IdleRelease, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Lets go of every kept array (their memory goes with the next collection).</summary>
    public static void Release()
    {
        lock (Gate)
        {
            Kept.Clear();
        }
    }

    private static void ReleaseIdle()
    {
        lock (Gate)
        {
            if (Kept.Count == 0)
            {
                return;
            }

            Kept.Clear();
        }

        // No counter took them for a while: give the memory back. Only an
        // aggressive collection decommits what it frees; a plain one, even
        // compacting, leaves it committed (CountingMemoryTests in the worker).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
