using Kmer.Core.Counting;

namespace Kmer.Core.Tests.Counting;

/// <summary>
/// The sparse writers' hot-key cache on its own: what it takes, when it is
/// bypassed and for how long, and that what it drains plus what it let through
/// is every key fed to it, counted exactly.
/// </summary>
public sealed class HotKeyCacheTests
{
    [Fact]
    public void A_window_of_misses_drains_the_cache_and_bypasses_it_for_the_set_number_of_windows()
    {
        // 2^8 slots: it takes up to 128 keys.
        var cache = new HotKeyCache(8);
        var fed = new Dictionary<ulong, long>();
        var passed = new Dictionary<ulong, long>();
        long passedTotal = 0;
        var drained = new Target(new Dictionary<ulong, long>());

        // 64 keys: a window is exactly 1,024 feeds of them.
        ulong[] hot = [.. Enumerable.Range(1, 64).Select(i => (ulong)i * 7919)];
        ulong next = 1UL << 40;
        ulong[] Uniform(int n)
        {
            var keys = new ulong[n];
            for (int i = 0; i < n; i++)
            {
                keys[i] = next++;
            }

            return keys;
        }

        bool Feed(ulong[] keys)
        {
            foreach (ulong key in keys)
            {
                fed[key] = fed.GetValueOrDefault(key) + 1;
            }

            ReadOnlySpan<ulong> misses = cache.Absorb(keys, out bool drain);
            foreach (ulong key in misses)
            {
                passed[key] = passed.GetValueOrDefault(key) + 1;
            }

            passedTotal += misses.Length;

            if (drain)
            {
                cache.Drain(ref drained);
            }

            return drain;
        }

        // A window of hot keys: all of them taken, then hits; no drain.
        for (int fedKeys = 0; fedKeys < 2 * HotKeyCache.WindowKeys; fedKeys += hot.Length)
        {
            Assert.False(Feed(hot));
        }

        Assert.Empty(passed);

        // A window of new keys: they miss (the cache is half full at 128 keys), and the look at the window drains it.
        bool drainedOnce = false;
        for (int fedKeys = 0; fedKeys <= HotKeyCache.WindowKeys && !drainedOnce; fedKeys += 512)
        {
            drainedOnce = Feed(Uniform(512));
        }

        Assert.True(drainedOnce);
        Assert.All(hot, key => Assert.True(drained.Counts.ContainsKey(key)));

        // Bypassed: every key passes through, hot ones included, for BypassWindows windows.
        long bypassedKeys = 0;
        while (bypassedKeys < (long)HotKeyCache.BypassWindows * HotKeyCache.WindowKeys)
        {
            long before = passedTotal;
            Assert.False(Feed(hot));
            Assert.Equal(before + hot.Length, passedTotal);
            bypassedKeys += hot.Length;
        }

        // Then refilled: hot keys are taken again and stay out of the misses.
        long passedBefore = passedTotal;
        Assert.False(Feed(hot));
        Assert.False(Feed(hot));
        Assert.Equal(passedBefore, passedTotal);

        cache.Drain(ref drained);
        foreach ((ulong key, long count) in fed)
        {
            Assert.Equal(count, drained.Counts.GetValueOrDefault(key) + passed.GetValueOrDefault(key));
        }

        Assert.Equal(fed.Count, drained.Counts.Keys.Union(passed.Keys).Count());
    }

    private readonly struct Target(Dictionary<ulong, long> counts) : ICountTarget
    {
        public Dictionary<ulong, long> Counts => counts;

        public void Add(ulong key, long count) => counts[key] = counts.GetValueOrDefault(key) + count;
    }
}
