namespace Kmer.Core.Counting;

/// <summary>
/// The shared account of the bytes a counter's tables and buffers hold:
/// reservations that would pass the limit are refused, and the largest total
/// ever reserved is remembered. Thread-safe, lock-free.
/// </summary>
internal sealed class MemoryBudget
{
    private long _reserved;
    private long _peak;

    public MemoryBudget(long limit) => Limit = limit;

    public long Limit { get; }

    public long Reserved => Volatile.Read(ref _reserved);

    public long Peak => Volatile.Read(ref _peak);

    /// <summary>Reserves <paramref name="bytes"/> if the total stays within the limit.</summary>
    public bool TryReserve(long bytes)
    {
        long current = Volatile.Read(ref _reserved);
        while (true)
        {
            long next = current + bytes;
            if (next > Limit)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref _reserved, next, current);
            if (seen == current)
            {
                RaisePeak(next);
                return true;
            }

            current = seen;
        }
    }

    /// <summary>Reserves <paramref name="bytes"/> even past the limit (the peak shows it).</summary>
    public void Reserve(long bytes) => RaisePeak(Interlocked.Add(ref _reserved, bytes));

    public void Release(long bytes) => Interlocked.Add(ref _reserved, -bytes);

    private void RaisePeak(long total)
    {
        long peak = Volatile.Read(ref _peak);
        while (total > peak)
        {
            long seen = Interlocked.CompareExchange(ref _peak, total, peak);
            if (seen == peak)
            {
                return;
            }

            peak = seen;
        }
    }
}
