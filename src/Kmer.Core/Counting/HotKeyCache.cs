namespace Kmer.Core.Counting;

/// <summary>
/// A writer's small table in front of its main counts, sized to stay in the
/// CPU caches, that absorbs the keys occurring in many rows (in DNA reads,
/// the keys of the genome, against a tail of keys made by read errors).
/// </summary>
/// <remarks>
/// <para>
/// Keys are taken while the cache is less than half full; after that a key
/// not in it is a miss and goes to the writer's partition tables directly
/// (only the sparse strategy uses the cache), so the cache keeps the keys seen
/// first, which are the frequent ones with high probability. Every
/// <see cref="WindowKeys"/> keys looked up in the filled cache, the hit rate
/// is checked: if more than 1 key in 16 missed, the cache is drained into the
/// main counts and bypassed for <see cref="BypassWindows"/> windows (16M
/// keys), then refilled and checked again. A miss costs a probe of the cache
/// on top of the main count, so the cache pays only when nearly every key
/// hits (small k on a sparse counter); on DNA reads with k ≥ 12 the keys made
/// by read errors alone miss more often than that. Each refill and drain
/// costs too: bypassing for 1, 2, 4, … windows instead cost a tenth of the
/// counting time at k = 16 on 200,000 reads.
/// </para>
/// <para>
/// The cache's counts reach the main counts when it is drained: on a low hit
/// rate and when the writer completes. Not thread-safe.
/// </para>
/// </remarks>
internal sealed class HotKeyCache
{
    /// <summary>Keys between two looks at the hit rate.</summary>
    public const int WindowKeys = 1 << 16;

    /// <summary>Windows the cache is bypassed for after a look found too many misses.</summary>
    public const int BypassWindows = 256;

    /// <summary>The cache is bypassed when more than 1 key in this many misses it.</summary>
    private const int MissRateDenominator = 16;

    private readonly CountSlot[] _slots;
    private readonly int _shift;
    private readonly int _mask;
    private readonly int _maxUsed;
    private int _used;
    private long _windowKeys;
    private long _windowMisses;
    private int _bypassLeft;
    private ulong[] _misses = new ulong[256];

    public HotKeyCache(int bits)
    {
        _slots = new CountSlot[1 << bits];
        _shift = 64 - bits;
        _mask = (1 << bits) - 1;
        _maxUsed = 1 << (bits - 1);
    }

    /// <summary>The bytes the cache holds (for the memory account).</summary>
    public long Bytes => (long)_slots.Length * CountSlot.Size;

    /// <summary>The slots' size in bits for a memory limit: 2^17 slots (2 MiB) from 128 MiB up, less below (a 64th of the limit).</summary>
    public static int BitsFor(long memoryLimitBytes)
    {
        int bits = 8;
        while (bits < 17 && (long)CountSlot.Size << (bits + 1) <= memoryLimitBytes / 64)
        {
            bits++;
        }

        return bits;
    }

    /// <summary>
    /// Counts the keys the cache holds or takes and returns the others (the
    /// misses, in order), or all of <paramref name="keys"/> while bypassed.
    /// <paramref name="drain"/> is set when the cache must be drained now
    /// (see <see cref="Drain"/>).
    /// </summary>
    public ReadOnlySpan<ulong> Absorb(ReadOnlySpan<ulong> keys, out bool drain)
    {
        drain = false;
        if (_bypassLeft > 0)
        {
            _windowKeys += keys.Length;
            if (_windowKeys >= WindowKeys)
            {
                _windowKeys = 0;
                _bypassLeft--;
            }

            return keys;
        }

        if (_misses.Length < keys.Length)
        {
            _misses = new ulong[Math.Max(keys.Length, 2 * _misses.Length)];
        }

        CountSlot[] slots = _slots;
        ulong[] misses = _misses;
        int shift = _shift;
        int mask = _mask;
        int missed = 0;
        int taken = 0;
        foreach (ulong key in keys)
        {
            ulong hash = key * KeyHash.Multiplier;
            int i = (int)(hash >> shift);
            while (true)
            {
                ref CountSlot slot = ref slots[i];
                if (slot.Count == 0)
                {
                    if (_used < _maxUsed)
                    {
                        slot.Hash = hash;
                        slot.Count = 1;
                        _used++;
                        taken++;
                    }
                    else
                    {
                        misses[missed++] = key;
                    }

                    break;
                }

                if (slot.Hash == hash)
                {
                    slot.Count++;
                    break;
                }

                i = (i + 1) & mask;
            }
        }

        // Keys taken while filling up say nothing about the hit rate.
        _windowKeys += keys.Length - taken;
        _windowMisses += missed;
        if (_windowKeys >= WindowKeys)
        {
            if (_windowMisses * MissRateDenominator > _windowKeys)
            {
                drain = true;
                _bypassLeft = BypassWindows;
            }

            _windowKeys = 0;
            _windowMisses = 0;
        }

        return misses.AsSpan(0, missed);
    }

    /// <summary>Passes every (key, count) held to <paramref name="add"/> and empties the cache.</summary>
    public void Drain<TTarget>(ref TTarget add)
        where TTarget : struct, ICountTarget
    {
        if (_used == 0)
        {
            return;
        }

        foreach (ref CountSlot slot in _slots.AsSpan())
        {
            if (slot.Count != 0)
            {
                add.Add(slot.Hash * KeyHash.Inverse, slot.Count);
                slot = default;
            }
        }

        _used = 0;
    }
}

/// <summary>Where <see cref="HotKeyCache.Drain"/> puts the counts.</summary>
internal interface ICountTarget
{
    void Add(ulong key, long count);
}
