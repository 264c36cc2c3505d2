using Kmer.Core.Counting;

namespace Kmer.Core.Tests.Counting;

/// <summary><see cref="KeyCounter"/> against a dictionary count of the same random rows, for both strategies.</summary>
public sealed class KeyCounterTests
{
    private const long MiB = 1L << 20;

    public static TheoryData<int, int, int, bool, bool> Cases => new()
    {
        // keyBits, limit (MiB), writers, dense, spills
        { 12, 1, 1, true, false },
        { 12, 1, 3, true, false },
        { 22, 32, 2, true, false },
        { 24, 128, 2, true, false },
        { 20, 1, 2, false, true },
        { 26, 64, 2, false, false },
        { 26, 1, 3, false, true },
        { 40, 64, 3, false, false },
        { 40, 1, 2, false, true },
        { 64, 64, 2, false, false },
        { 64, 2, 4, false, true },
        { 36, 4, 8, false, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_count_matches_the_reference(int keyBits, int limitMiB, int writers, bool dense, bool spills)
    {
        CountingData data = CountingData.Random(keyBits, rows: 12_000, keysPerRow: 60, seed: keyBits * 31 + writers);
        using var directory = new TempDirectory();
        var options = new KeyCountingOptions(keyBits, limitMiB * MiB, directory.Path);

        using (var counter = KeyCounter.Create(options))
        {
            Assert.Equal(dense, counter.IsDense);
            data.CountInto(counter, writers);
            IReadOnlyList<KeyCount> all = counter.SelectAbove(0, CancellationToken.None);

            Assert.Equal(data.ExpectedAbove(0), all);
            Assert.Equal(spills, counter.SpillFileCount > 0);
            Assert.InRange(counter.PeakMemoryBytes, 1, options.MemoryLimitBytes);
            Assert.Empty(directory.Files);
        }

        Assert.Empty(directory.Files);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Thresholds_select_the_same_keys_as_the_reference(int keyBits, int limitMiB, int writers, bool dense, bool spills)
    {
        _ = dense;
        _ = spills;
        CountingData data = CountingData.Random(keyBits, rows: 6_000, keysPerRow: 60, seed: keyBits + 7 * writers, hotKeys: 300);
        long max = data.MaxCount;
        using var directory = new TempDirectory();
        foreach (long threshold in new[] { 1, max / 2, max - 1, max, long.MaxValue })
        {
            using var counter = KeyCounter.Create(new KeyCountingOptions(keyBits, limitMiB * MiB, directory.Path));
            data.CountInto(counter, writers);
            IReadOnlyList<KeyCount> selected = counter.SelectAbove(threshold, CancellationToken.None);

            Assert.Equal(data.ExpectedAbove(threshold), selected);
            if (threshold >= max)
            {
                Assert.Empty(selected);
            }
            else
            {
                Assert.NotEmpty(selected);
            }
        }

        Assert.Empty(directory.Files);
    }

    [Theory]
    [InlineData(2, 9)]
    [InlineData(2, 10)]
    [InlineData(3, 10)]
    [InlineData(3, 11)]
    public void Keys_split_between_writers_are_selected_exactly_at_the_threshold(int writers, long threshold)
    {
        // Every way of splitting counts of threshold - 1 .. threshold + 2 between
        // the writers (each writer counts its share of a key in rows of its own),
        // so that keys just above and just below the threshold's share per writer
        // are all there; a sparse counter, whose selection looks keys up across
        // the writers' tables.
        var splits = new List<int[]>();
        void Split(int[] parts, int writer, int left)
        {
            if (writer == parts.Length - 1)
            {
                parts[writer] = left;
                splits.Add([.. parts]);
                return;
            }

            for (int c = 0; c <= left; c++)
            {
                parts[writer] = c;
                Split(parts, writer + 1, left - c);
            }
        }

        for (long total = threshold - 1; total <= threshold + 2; total++)
        {
            Split(new int[writers], 0, (int)total);
        }

        var expected = new Dictionary<ulong, long>();
        var rowsOfWriter = new List<ulong>[writers][];
        int maxRows = splits.Max(p => p.Max());
        for (int w = 0; w < writers; w++)
        {
            rowsOfWriter[w] = new List<ulong>[maxRows];
            for (int r = 0; r < maxRows; r++)
            {
                rowsOfWriter[w][r] = [];
            }
        }

        for (int k = 0; k < splits.Count; k++)
        {
            ulong key = 1_000_003UL * (ulong)(k + 1);
            expected[key] = splits[k].Sum();
            for (int w = 0; w < writers; w++)
            {
                for (int r = 0; r < splits[k][w]; r++)
                {
                    rowsOfWriter[w][r].Add(key);
                }
            }
        }

        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(48, 64 * MiB, directory.Path));
        Assert.False(counter.IsDense);
        for (int w = 0; w < writers; w++)
        {
            using KeyCountWriter writer = counter.CreateWriter();
            foreach (List<ulong> row in rowsOfWriter[w])
            {
                writer.AddRow([.. row]);
            }
        }

        var want = expected.Where(e => e.Value > threshold).Select(e => new KeyCount(e.Key, e.Value)).OrderBy(e => e.Key).ToList();
        Assert.NotEmpty(want);
        Assert.Equal(want, counter.SelectAbove(threshold, CancellationToken.None));
    }

    [Theory]
    [InlineData(24, 128)]
    [InlineData(40, 1)]
    [InlineData(40, 256)]
    public void Hot_keys_cached_by_the_writers_are_counted_exactly(int keyBits, int limitMiB)
    {
        // Phases: a small hot set (the writers' caches take it), uniform keys
        // (the caches are drained and bypassed), the hot set again (still
        // bypassed: HotKeyCacheTests follows a cache through a refill).
        var random = new Random(keyBits);
        ulong maxKey = keyBits == 64 ? ulong.MaxValue : (1UL << keyBits) - 1;
        var hot = new ulong[200];
        for (int i = 0; i < hot.Length; i++)
        {
            hot[i] = (ulong)random.NextInt64((long)maxKey);
        }

        var rows = new List<ulong[]>();
        for (int r = 0; r < 15_000; r++)
        {
            bool uniform = r >= 5_000 && r < 10_000;
            var row = new HashSet<ulong>();
            while (row.Count < 40)
            {
                row.Add(uniform ? (ulong)random.NextInt64((long)maxKey) : hot[random.Next(hot.Length)]);
            }

            rows.Add([.. row]);
        }

        CountingData data = CountingData.FromRows(keyBits, rows);
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(keyBits, limitMiB * MiB, directory.Path));
        data.CountInto(counter, writers: 2);

        Assert.Equal(data.ExpectedAbove(0), counter.SelectAbove(0, CancellationToken.None));
        Assert.InRange(counter.PeakMemoryBytes, 1, limitMiB * MiB);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 1)]
    [InlineData(30, 8192)]
    [InlineData(31, 1)]
    [InlineData(63, 1)]
    [InlineData(64, 1)]
    public void The_smallest_and_largest_keys_are_counted(int keyBits, int limitMiB)
    {
        ulong max = keyBits == 64 ? ulong.MaxValue : (1UL << keyBits) - 1;
        var rows = new List<ulong[]> { new[] { 0UL, max }, new[] { max }, new[] { 0UL, max }, Array.Empty<ulong>() };
        CountingData data = CountingData.FromRows(keyBits, rows);
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(keyBits, limitMiB * MiB, directory.Path));

        data.CountInto(counter, writers: 2);

        Assert.Equal([new KeyCount(0, 2), new KeyCount(max, 3)], counter.SelectAbove(0, CancellationToken.None));
    }

    [Theory]
    [InlineData(16, 0)]
    [InlineData(16, 2)]
    [InlineData(48, 0)]
    [InlineData(48, 2)]
    public void Nothing_counted_selects_nothing(int keyBits, int writers)
    {
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(keyBits, MiB, directory.Path));
        for (int w = 0; w < writers; w++)
        {
            using KeyCountWriter writer = counter.CreateWriter();
            writer.AddRow([]);
        }

        Assert.Empty(counter.SelectAbove(0, CancellationToken.None));
        Assert.Equal(0, counter.SpillFileCount);
    }

    [Theory]
    [InlineData(12, 1, true)]
    [InlineData(24, 128, true)]
    [InlineData(24, 127, false)]
    [InlineData(26, 512, true)]
    [InlineData(30, 8192, true)]
    [InlineData(31, 1L << 20, false)]
    [InlineData(64, 1L << 20, false)]
    public void Dense_is_chosen_when_the_counters_fit_in_half_the_limit(int keyBits, long limitMiB, bool dense) =>
        Assert.Equal(dense, KeyCounter.UsesDense(keyBits, limitMiB * MiB));

    [Fact]
    public void A_dense_counter_counts_past_32_bits()
    {
        using var counter = KeyCounter.Create(new KeyCountingOptions(16, MiB, "/nonexistent"));
        Assert.True(counter.IsDense);
        counter.AddDense(77, uint.MaxValue);
        using (KeyCountWriter writer = counter.CreateWriter())
        {
            writer.AddRow([77, 78]);
            writer.AddRow([77]);
        }

        counter.AddDense(78, uint.MaxValue);
        counter.AddDense(78, uint.MaxValue);

        Assert.Equal(
            [new KeyCount(77, uint.MaxValue + 2L), new KeyCount(78, 2L * uint.MaxValue + 1)],
            counter.SelectAbove(uint.MaxValue, CancellationToken.None));
    }

    [Fact]
    public void A_dense_counter_past_32_bits_respects_the_threshold()
    {
        using var counter = KeyCounter.Create(new KeyCountingOptions(16, MiB, "/nonexistent"));
        counter.AddDense(5, uint.MaxValue);
        using (KeyCountWriter writer = counter.CreateWriter())
        {
            writer.AddRow([5, 6]);
        }

        Assert.Equal([new KeyCount(5, 1L << 32), new KeyCount(6, 1)], counter.SelectAbove(0, CancellationToken.None));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(40)]
    public void Keys_with_too_many_bits_are_refused(int keyBits)
    {
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(keyBits, MiB, directory.Path));
        using KeyCountWriter writer = counter.CreateWriter();

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.AddRow([1, 1UL << keyBits]));
    }

    [Fact]
    public void The_life_cycle_is_enforced()
    {
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(40, MiB, directory.Path));
        KeyCountWriter writer = counter.CreateWriter();
        writer.AddRow([1, 2, 3]);

        Assert.Throws<InvalidOperationException>(() => counter.SelectAbove(0, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => counter.SelectAbove(-1, CancellationToken.None));

        writer.Complete();
        writer.Complete();
        writer.Dispose();
        Assert.Throws<InvalidOperationException>(() => writer.AddRow([4]));

        Assert.Equal(3, counter.SelectAbove(0, CancellationToken.None).Count);
        Assert.Throws<InvalidOperationException>(() => counter.SelectAbove(0, CancellationToken.None));
        Assert.Throws<InvalidOperationException>(() => counter.CreateWriter());
    }

    [Fact]
    public void Options_are_validated()
    {
        using var directory = new TempDirectory();
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyCounter.Create(new KeyCountingOptions(0, MiB, directory.Path)));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyCounter.Create(new KeyCountingOptions(65, MiB, directory.Path)));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyCounter.Create(new KeyCountingOptions(40, MiB - 1, directory.Path)));
        Assert.Throws<DirectoryNotFoundException>(() => KeyCounter.Create(new KeyCountingOptions(40, MiB, Path.Combine(directory.Path, "missing"))));

        // The dense strategy never touches the directory.
        using var dense = KeyCounter.Create(new KeyCountingOptions(12, MiB, Path.Combine(directory.Path, "missing")));
        Assert.True(dense.IsDense);
    }

    [Fact]
    public void The_key_hash_is_inverted_exactly()
    {
        Assert.Equal(1UL, unchecked(KeyHash.Multiplier * KeyHash.Inverse));
        var random = new Random(5);
        for (int i = 0; i < 1000; i++)
        {
            ulong key = (ulong)random.NextInt64() << 1 | (uint)random.Next(2);
            Assert.Equal(key, unchecked(key * KeyHash.Multiplier * KeyHash.Inverse));
        }
    }
}
