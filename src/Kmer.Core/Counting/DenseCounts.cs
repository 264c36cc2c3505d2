namespace Kmer.Core.Counting;

/// <summary>
/// The dense strategy: one shared array of 2^KeyBits 32-bit counters, indexed
/// by the key, which every writer increments with an interlocked add (no
/// lock); from 2^22 counters up each writer counts through its own
/// <see cref="HotKeyCache"/> first. A counter that wraps past 2^32 − 1 adds
/// 2^32 to an overflow entry for its key (a locked dictionary, touched once
/// per 2^32 increments), so counts are exact to 2^63. The selection scans the
/// array in chunks of 2^18 counters on every core, with a vectorised search
/// for counters above the threshold.
/// </summary>
internal sealed class DenseCounts : CountingStrategy
{
    /// <summary>Counters scanned by one selection task.</summary>
    private const int ChunkLength = 1 << 18;

    /// <summary>From 2^22 counters (16 MiB) up, writers count through a <see cref="HotKeyCache"/>.</summary>
    private const int MinCachedKeyBits = 22;

    private readonly uint[] _counts;
    private readonly Dictionary<ulong, long> _wraps = [];

    public DenseCounts(int keyBits, long memoryLimitBytes)
        : base(keyBits, memoryLimitBytes)
    {
        long bytes = BytesFor(keyBits);
        Budget.Reserve(bytes);
        _counts = new uint[1L << keyBits];
    }

    public override int SpillFileCount => 0;

    /// <summary>The array's size for <paramref name="keyBits"/>-bit keys.</summary>
    public static long BytesFor(int keyBits) => sizeof(uint) * (1L << keyBits);

    /// <summary>Adds <paramref name="count"/> rows to one key's counter.</summary>
    internal void Add(ulong key, long count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(key, MaxKey);
        uint low = (uint)count;
        long extra = count - low;
        uint after = Interlocked.Add(ref _counts[(int)key], low);
        if (after < low)
        {
            extra += 1L << 32;
        }

        if (extra != 0)
        {
            lock (_wraps)
            {
                _wraps[key] = _wraps.GetValueOrDefault(key) + extra;
            }
        }
    }

    protected override WriterCore CreateWriterCore()
    {
        // A hot-key cache pays once the array no longer fits in the CPU caches.
        HotKeyCache? cache = null;
        if (KeyBits >= MinCachedKeyBits)
        {
            cache = new HotKeyCache(HotKeyCache.BitsFor(Budget.Limit));
            if (!Budget.TryReserve(cache.Bytes))
            {
                cache = null;
            }
        }

        return new Writer(this, cache);
    }

    protected override IReadOnlyList<KeyCount> SelectCore(long threshold, CancellationToken cancellationToken)
    {
        uint[] counts = _counts;
        int chunks = (int)Math.Max(1, counts.LongLength / ChunkLength);
        int chunkLength = (int)(counts.LongLength / chunks);
        var found = new List<KeyCount>?[chunks];

        // Counters above this many rows are candidates; wrapped keys are looked at separately.
        uint below = threshold >= uint.MaxValue ? uint.MaxValue : (uint)threshold;
        Dictionary<ulong, long> wraps = _wraps;
        ParallelPartitions.Run(
            chunks,
            Environment.ProcessorCount,
            static () => 0,
            (chunk, _) =>
            {
                int start = chunk * chunkLength;
                ReadOnlySpan<uint> span = counts.AsSpan(start, chunkLength);
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
                    ulong key = (ulong)(start + i);
                    if (wraps.Count == 0 || !wraps.ContainsKey(key))
                    {
                        (list ??= []).Add(new KeyCount(key, span[i]));
                    }

                    i++;
                }

                found[chunk] = list;
                PartitionSelected?.Invoke();
            },
            static _ => { },
            cancellationToken);

        var result = new List<KeyCount>();
        foreach (List<KeyCount>? list in found)
        {
            if (list is not null)
            {
                result.AddRange(list);
            }
        }

        if (wraps.Count != 0)
        {
            foreach ((ulong key, long extra) in wraps)
            {
                long count = extra + counts[(int)key];
                if (count > threshold)
                {
                    result.Add(new KeyCount(key, count));
                }
            }

            result.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        }

        return result;
    }

    protected override void DisposeCore()
    {
        // The array goes with the counter; nothing is on disk.
    }

    private void Wrapped(ulong key)
    {
        lock (_wraps)
        {
            _wraps[key] = _wraps.GetValueOrDefault(key) + (1L << 32);
        }
    }

    private sealed class Writer : WriterCore
    {
        private readonly DenseCounts _owner;
        private readonly uint[] _counts;
        private HotKeyCache? _cache;

        public Writer(DenseCounts owner, HotKeyCache? cache)
        {
            _owner = owner;
            _counts = owner._counts;
            _cache = cache;
        }

        public override void AddRow(ReadOnlySpan<ulong> keys)
        {
            _owner.CheckKeys(keys);
            if (_cache is null)
            {
                Increment(keys);
                return;
            }

            Increment(_cache.Absorb(keys, out bool drain));
            if (drain)
            {
                DrainCache();
            }
        }

        public override void Complete()
        {
            if (_cache is not null)
            {
                DrainCache();
                _owner.Budget.Release(_cache.Bytes);
                _cache = null;
            }

            _owner.WriterCompleted();
        }

        private void Increment(ReadOnlySpan<ulong> keys)
        {
            uint[] counts = _counts;
            foreach (ulong key in keys)
            {
                if (Interlocked.Increment(ref counts[(int)key]) == 0)
                {
                    _owner.Wrapped(key);
                }
            }
        }

        private void DrainCache()
        {
            var target = new CacheTarget(_owner);
            _cache!.Drain(ref target);
        }
    }

    private readonly struct CacheTarget(DenseCounts owner) : ICountTarget
    {
        public void Add(ulong key, long count) => owner.Add(key, count);
    }
}
