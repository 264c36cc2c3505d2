using System.Runtime.CompilerServices;

namespace Kmer.Core.Counting;

/// <summary>
/// A writer's buffers of key hashes waiting to be added to their partition's
/// table: appending is a sequential write, and a full batch is then added to
/// one table while that table's lines are in the CPU caches, instead of every
/// key touching a random table. Not thread-safe.
/// </summary>
internal sealed class PartitionBatches
{
    /// <summary>
    /// The largest batch: 2^13 hashes (64 KiB), 16 MiB for 256 partitions. A
    /// batch pays when it brings several keys to each cache line of its table:
    /// with 2^10, a 200,000-read analysis at k = 16 (tables of about 2,000
    /// lines each) met a cache miss for nearly every key, and counted 15 %
    /// slower; 2^14 was slower again (the batches no longer fit the caches).
    /// </summary>
    public const int MaxBatchBits = 13;

    /// <summary>Smaller batches than 2^4 hashes would not pay for the extra pass.</summary>
    public const int MinBatchBits = 4;

    private readonly ulong[] _hashes;
    private readonly int[] _next;
    private readonly int _batchMask;
    private readonly int _batchBits;

    /// <summary>Batches of 2^<paramref name="batchBits"/> hashes for each of <paramref name="partitions"/> partitions.</summary>
    public PartitionBatches(int partitions, int batchBits)
    {
        _hashes = new ulong[partitions << batchBits];
        _next = new int[partitions];
        for (int p = 0; p < partitions; p++)
        {
            _next[p] = p << batchBits;
        }

        _batchBits = batchBits;
        _batchMask = (1 << batchBits) - 1;
    }

    /// <summary>
    /// The batch size in bits for a memory limit: the largest up to
    /// <see cref="MaxBatchBits"/> whose buffers take at most a 64th of the
    /// limit; -1 when even <see cref="MinBatchBits"/> would take more.
    /// </summary>
    public static int BatchBitsFor(long memoryLimitBytes, int partitionBits)
    {
        for (int bits = MaxBatchBits; bits >= MinBatchBits; bits--)
        {
            if ((long)sizeof(ulong) << (partitionBits + bits) <= memoryLimitBytes / 64)
            {
                return bits;
            }
        }

        return -1;
    }

    /// <summary>The bytes the batches hold (for the memory account).</summary>
    public long Bytes => (long)_hashes.Length * sizeof(ulong);

    public int Partitions => _next.Length;

    /// <summary>Appends a hash to its partition's batch; true when that batch is now full (take it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Append(int partition, ulong hash)
    {
        int at = _next[partition]++;
        _hashes[at] = hash;
        return ((at + 1) & _batchMask) == 0;
    }

    /// <summary>The hashes waiting for <paramref name="partition"/>, which is emptied: use them before the next append.</summary>
    public ReadOnlySpan<ulong> Take(int partition)
    {
        int start = partition << _batchBits;
        int end = _next[partition];
        _next[partition] = start;
        return new ReadOnlySpan<ulong>(_hashes, start, end - start);
    }
}
