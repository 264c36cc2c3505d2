using Kmer.Core.Counting;

namespace Kmer.Core.Tests.Counting;

/// <summary>The kept arrays are process-wide: these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(KeptCounterArraysCollection), DisableParallelization = true)]
public sealed class KeptCounterArraysCollection;

/// <summary>
/// Dense counters hand their arrays on to the next counter of the same width:
/// the next counter must count from zero, whatever the previous one counted,
/// and a counter whose selection did not complete must not hand on an array it did not zero.
/// Every count is checked against a dictionary count of the same rows.
/// </summary>
[Collection(nameof(KeptCounterArraysCollection))]
public sealed class KeptCounterArraysTests
{
    private const long MiB = 1L << 20;

    // 20-bit keys: 4 MiB an array, selected in 4 chunks; 2 writers of 360,000
    // keys each take arrays of their own (a sixteenth of the array is 65,536 keys).
    private const int KeyBits = 20;
    private const long ArrayBytes = 4 * MiB;

    [Fact]
    public void A_counter_after_a_completed_selection_reuses_its_arrays_and_counts_from_zero()
    {
        KeptCounterArrays.Release();
        CountingData first = CountingData.Random(KeyBits, rows: 12_000, keysPerRow: 60, seed: 1, hotKeys: 200);
        using (var counter = NewCounter())
        {
            first.CountInto(counter, writers: 2);
            Assert.Equal(first.ExpectedAbove(0), counter.SelectAbove(0, CancellationToken.None));
        }

        // The shared array and both writers' arrays, zeroed.
        Assert.Equal(3 * ArrayBytes, KeptCounterArrays.Bytes);
        NextCounterCountsFromZero(seed: 2);
    }

    [Fact]
    public void A_selection_cancelled_in_its_scan_keeps_only_the_merged_arrays_and_the_next_counter_counts_from_zero()
    {
        KeptCounterArrays.Release();
        CountingData first = CountingData.Random(KeyBits, rows: 12_000, keysPerRow: 60, seed: 3, hotKeys: 200);
        using (var counter = NewCounter())
        {
            first.CountInto(counter, writers: 2);
            using var cancellation = new CancellationTokenSource();
            counter.PartitionSelected = cancellation.Cancel;
            Assert.ThrowsAny<OperationCanceledException>(() => counter.SelectAbove(0, cancellation.Token));
        }

        // The writers' arrays, zeroed as they were merged; not the shared array, scanned in part.
        Assert.Equal(2 * ArrayBytes, KeptCounterArrays.Bytes);
        NextCounterCountsFromZero(seed: 4);
    }

    [Fact]
    public void A_counter_disposed_before_its_selection_keeps_nothing()
    {
        KeptCounterArrays.Release();
        CountingData data = CountingData.Random(KeyBits, rows: 12_000, keysPerRow: 60, seed: 5, hotKeys: 200);
        using (var counter = NewCounter())
        {
            data.CountInto(counter, writers: 2);
        }

        Assert.Equal(0, KeptCounterArrays.Bytes);
    }

    [Fact]
    public void Another_width_and_a_sparse_counter_let_go_of_the_kept_arrays()
    {
        KeptCounterArrays.Release();
        using (var counter = NewCounter())
        {
            CountingData.Random(KeyBits, rows: 100, keysPerRow: 10, seed: 6).CountInto(counter, writers: 1);
            counter.SelectAbove(0, CancellationToken.None);
        }

        Assert.Equal(ArrayBytes, KeptCounterArrays.Bytes);

        // One bit more: the kept array is let go of, and the new one kept after the selection.
        using (var counter = KeyCounter.Create(new KeyCountingOptions(KeyBits + 1, 32 * MiB, "/nonexistent")))
        {
            Assert.Equal(0, KeptCounterArrays.Bytes);
            counter.SelectAbove(0, CancellationToken.None);
        }

        Assert.Equal(2 * ArrayBytes, KeptCounterArrays.Bytes);

        using var directory = new TempDirectory();
        using var sparse = KeyCounter.Create(new KeyCountingOptions(40, 8 * MiB, directory.Path));
        Assert.False(sparse.IsDense);
        Assert.Equal(0, KeptCounterArrays.Bytes);
    }

    /// <summary>A counter on whatever arrays are kept counts other rows exactly.</summary>
    private static void NextCounterCountsFromZero(int seed)
    {
        CountingData data = CountingData.Random(KeyBits, rows: 9_000, keysPerRow: 40, seed: seed, hotKeys: 100);
        using var counter = NewCounter();
        data.CountInto(counter, writers: 2);
        Assert.Equal(data.ExpectedAbove(0), counter.SelectAbove(0, CancellationToken.None));
    }

    private static KeyCounter NewCounter()
    {
        var counter = KeyCounter.Create(new KeyCountingOptions(KeyBits, 16 * MiB, "/nonexistent", 4));
        Assert.True(counter.IsDense);
        return counter;
    }
}
