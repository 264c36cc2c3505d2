using System.Numerics;

namespace Kmer.Core.Counting;

/// <summary>
/// The dense strategy: one shared array of 2^KeyBits 32-bit counters, one per
/// key. A writer starts by incrementing the shared array with interlocked
/// adds; once it has counted a sixteenth of the array's length in keys it takes
/// an array of its own (when the memory account allows) and counts into it
/// with plain increments; the selection adds these arrays to the shared one
/// first, when no writer increments it any more. A
/// counter that wraps past 2^32 − 1 adds 2^32 to an overflow entry for its key
/// (a locked dictionary, touched once per 2^32 increments), so counts are
/// exact to 2^63. The selection scans the shared array in chunks of 2^18
/// counters on every core, with a vectorised search for counters above the
/// threshold, zeroing each chunk once read: a completed selection hands its
/// arrays, clean, to <see cref="KeptCounterArrays"/> for the next counter.
/// </summary>
/// <remarks>
/// A key's counter is at its <see cref="KeyCountingOptions.RareLowBits"/>
/// lowest bits moved to the top of the index: for n-gram keys nearly every key
/// is a first occurrence, so their counters (4^k of them) lie side by side and
/// stay in the CPU caches for small k, where scattered over the whole array
/// they would not. The writers also note which of those top blocks they
/// touched (the OR of the keys' moved bits, a bound on the highest), so the
/// selection merges, scans and zeroes only the start of the arrays that can
/// hold counts: for reads, the blocks of the first few occurrences.
/// </remarks>
internal sealed class DenseCounts : CountingStrategy
{
    /// <summary>Counters scanned by one selection task.</summary>
    private const int ChunkLength = 1 << 18;

    private readonly uint[] _counts;
    private readonly int _lowBits;
    private readonly int _highBits;
    private readonly ulong _lowMask;
    private readonly ulong _highMask;
    private readonly Dictionary<ulong, long> _wraps = [];
    private readonly List<uint[]> _writerArrays = [];

    // The OR of the moved low bits of every key counted by completed writers and Add.
    private ulong _lowBitsSeen;

    public DenseCounts(int keyBits, int rareLowBits, long memoryLimitBytes)
        : base(keyBits, memoryLimitBytes)
    {
        Budget.Reserve(BytesFor(keyBits));
        _counts = KeptCounterArrays.Rent(1 << keyBits);
        _lowBits = rareLowBits;
        _highBits = keyBits - rareLowBits;
        _lowMask = (1UL << rareLowBits) - 1;
        _highMask = (1UL << _highBits) - 1;
    }

    public override int SpillFileCount => 0;

    /// <summary>The array's size for <paramref name="keyBits"/>-bit keys.</summary>
    public static long BytesFor(int keyBits) => sizeof(uint) * (1L << keyBits);

    /// <summary>Adds <paramref name="count"/> rows to one key's counter.</summary>
    internal void Add(ulong key, long count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(key, MaxKey);
        NoteLowBits(key & _lowMask);
        uint low = (uint)count;
        long extra = count - low;
        uint after = Interlocked.Add(ref _counts[IndexOf(key)], low);
        if (after < low)
        {
            extra += 1L << 32;
        }

        if (extra != 0)
        {
            AddWrap(key, extra);
        }
    }

    protected override WriterCore CreateWriterCore() => new Writer(this);

    protected override IReadOnlyList<KeyCount> SelectCore(long threshold, CancellationToken cancellationToken)
    {
        uint[] counts = _counts;

        // Every counter past the blocks the keys' moved bits reached is zero in every array.
        int used = (int)Math.Min(counts.LongLength, (long)(Volatile.Read(ref _lowBitsSeen) + 1) << _highBits);
        int chunkLength = Math.Min(used, ChunkLength);
        int chunks = (used + chunkLength - 1) / chunkLength;
        var found = new List<KeyCount>?[chunks];

        // Counters above this many rows are candidates; wrapped keys are looked at separately.
        uint below = threshold >= uint.MaxValue ? uint.MaxValue : (uint)threshold;
        Dictionary<ulong, long> wraps = _wraps;
        MergeWriterArrays(chunks, chunkLength, used, cancellationToken);

        // Wrapped keys first: the scan zeroes the counters behind it.
        var result = new List<KeyCount>();
        foreach ((ulong key, long extra) in wraps)
        {
            long count = extra + counts[IndexOf(key)];
            if (count > threshold)
            {
                result.Add(new KeyCount(key, count));
            }
        }

        ForEachChunk(
            chunks,
            chunk =>
            {
                int start = chunk * chunkLength;
                Span<uint> span = counts.AsSpan(start, Math.Min(chunkLength, used - start));
                List<KeyCount>? list = null;
                int i = 0;
                while (i < span.Length)
                {
                    int next = span[i..].IndexOfAnyExceptInRange(0u, below);
                    if (next < 0)
                    {
                        break;
                    }

                    i += next;
                    ulong key = KeyAt(start + i);
                    if (wraps.Count == 0 || !wraps.ContainsKey(key))
                    {
                        (list ??= []).Add(new KeyCount(key, span[i]));
                    }

                    i++;
                }

                found[chunk] = list;
                span.Clear();
                PartitionSelected?.Invoke();
            },
            cancellationToken);

        foreach (List<KeyCount>? list in found)
        {
            if (list is not null)
            {
                result.AddRange(list);
            }
        }

        KeptCounterArrays.Return(counts);

        // Index order is key order only when no bits were moved.
        if (_lowBits != 0 || wraps.Count != 0)
        {
            result.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        }

        return result;
    }

    protected override void DisposeCore()
    {
        // Arrays not merged are not clean: they go with the counter. Nothing is on disk.
        ReleaseWriterArrays(keep: false);
    }

    private void ReleaseWriterArrays(bool keep)
    {
        lock (_writerArrays)
        {
            foreach (uint[] own in _writerArrays)
            {
                Budget.Release(own.LongLength * sizeof(uint));
                if (keep)
                {
                    KeptCounterArrays.Return(own);
                }
            }

            _writerArrays.Clear();
        }
    }

    /// <summary>The counter's index of <paramref name="key"/>: its rare low bits moved to the top.</summary>
    private int IndexOf(ulong key) => (int)(((key & _lowMask) << _highBits) | (key >> _lowBits));

    /// <summary>The key whose counter is at <paramref name="index"/>.</summary>
    private ulong KeyAt(int index) => (((ulong)index & _highMask) << _lowBits) | ((ulong)index >> _highBits);

    private void NoteLowBits(ulong lowBits)
    {
        ulong seen = Volatile.Read(ref _lowBitsSeen);
        while ((seen | lowBits) != seen)
        {
            ulong before = Interlocked.CompareExchange(ref _lowBitsSeen, seen | lowBits, seen);
            if (before == seen)
            {
                return;
            }

            seen = before;
        }
    }

    private void AddWrap(ulong key, long extra)
    {
        lock (_wraps)
        {
            _wraps[key] = _wraps.GetValueOrDefault(key) + extra;
        }
    }

    /// <summary>Adds the completed writers' arrays to the shared array, chunk by chunk on every core, zeroing them behind, and hands them back clean.</summary>
    private void MergeWriterArrays(int chunks, int chunkLength, int used, CancellationToken cancellationToken)
    {
        List<uint[]> writerArrays = _writerArrays;
        if (writerArrays.Count == 0)
        {
            return;
        }

        ForEachChunk(
            chunks,
            chunk =>
            {
                int start = chunk * chunkLength;
                int end = Math.Min(used, start + chunkLength);
                foreach (uint[] own in writerArrays)
                {
                    Merge(own, start, end);
                    own.AsSpan(start, end - start).Clear();
                }
            },
            cancellationToken);
        ReleaseWriterArrays(keep: true);
    }

    /// <summary>Runs <paramref name="body"/> for every chunk of the array, on every core.</summary>
    private static void ForEachChunk(int chunks, Action<int> body, CancellationToken cancellationToken) =>
        ParallelPartitions.Run(chunks, Environment.ProcessorCount, static () => 0, (chunk, _) => body(chunk), static _ => { }, cancellationToken);

    /// <summary>Adds counters [<paramref name="from"/>, <paramref name="to"/>) of a writer's array to the shared array.</summary>
    private void Merge(uint[] own, int from, int to)
    {
        Span<uint> shared = _counts;
        int i = from;
        if (Vector.IsHardwareAccelerated)
        {
            // Whole vectors while no sum wraps; a vector with a wrap goes the scalar way.
            for (; i <= to - Vector<uint>.Count; i += Vector<uint>.Count)
            {
                var mine = new Vector<uint>(own, i);
                Vector<uint> sum = new Vector<uint>(shared[i..]) + mine;
                if (Vector.LessThanAny(sum, mine))
                {
                    MergeScalar(own, shared, i, i + Vector<uint>.Count);
                }
                else
                {
                    sum.CopyTo(shared[i..]);
                }
            }
        }

        MergeScalar(own, shared, i, to);
    }

    private void MergeScalar(uint[] own, Span<uint> shared, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            uint sum = unchecked(shared[i] + own[i]);
            if (sum < own[i])
            {
                AddWrap(KeyAt(i), 1L << 32);
            }

            shared[i] = sum;
        }
    }

    private sealed class Writer(DenseCounts owner) : WriterCore
    {
        private long _keysBeforeOwnArray = owner._counts.LongLength / 16;
        private long _keysCounted;
        private uint[]? _own;
        private ulong _lowBitsSeen;

        public override void AddRow(ReadOnlySpan<ulong> keys)
        {
            owner.CheckKeys(keys);
            if (_own is not null)
            {
                IncrementOwn(_own, keys);
                return;
            }

            IncrementShared(keys);
            _keysCounted += keys.Length;
            if (_keysCounted >= _keysBeforeOwnArray)
            {
                TakeOwnArray();
            }
        }

        public override void Complete()
        {
            if (_own is not null)
            {
                // Added to the shared array by the selection, when no writer increments it any more.
                lock (owner._writerArrays)
                {
                    owner._writerArrays.Add(_own);
                }

                _own = null;
            }

            owner.NoteLowBits(_lowBitsSeen);
            owner.WriterCompleted();
        }

        /// <summary>
        /// Switches to an array of the writer's own, worth its zeroing and
        /// merging once the writer has counted a sixteenth of its length in
        /// keys; when the memory account has no room, the writer stays on the
        /// shared array.
        /// </summary>
        private void TakeOwnArray()
        {
            long bytes = owner._counts.LongLength * sizeof(uint);
            if (owner.Budget.TryReserve(bytes))
            {
                _own = KeptCounterArrays.Rent(owner._counts.Length);
            }
            else
            {
                // No room: stay on the shared array for good.
                _keysBeforeOwnArray = long.MaxValue;
            }
        }

        private void IncrementOwn(uint[] own, ReadOnlySpan<ulong> keys)
        {
            int lowBits = owner._lowBits;
            int highBits = owner._highBits;
            ulong lowMask = owner._lowMask;
            ulong seen = _lowBitsSeen;
            foreach (ulong key in keys)
            {
                seen |= key & lowMask;
                if (++own[(int)(((key & lowMask) << highBits) | (key >> lowBits))] == 0)
                {
                    owner.AddWrap(key, 1L << 32);
                }
            }

            _lowBitsSeen = seen;
        }

        private void IncrementShared(ReadOnlySpan<ulong> keys)
        {
            uint[] counts = owner._counts;
            ulong lowMask = owner._lowMask;
            ulong seen = _lowBitsSeen;
            foreach (ulong key in keys)
            {
                seen |= key & lowMask;
                if (Interlocked.Increment(ref counts[owner.IndexOf(key)]) == 0)
                {
                    owner.AddWrap(key, 1L << 32);
                }
            }

            _lowBitsSeen = seen;
        }
    }
}
