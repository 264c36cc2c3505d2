using Kmer.Core.Counting;

namespace Kmer.Core.Tests.Counting;

/// <summary>The sparse writers' partition batches: keys waiting in them are counted exactly, whatever happens meanwhile.</summary>
public sealed class PartitionBatchTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_batch_is_full_after_exactly_its_size_and_is_taken_in_order()
    {
        var batches = new PartitionBatches(partitions: 4, batchBits: 4);

        for (ulong i = 0; i < 15; i++)
        {
            Assert.False(batches.Append(2, 100 + i));
        }

        Assert.False(batches.Append(1, 7));
        Assert.True(batches.Append(2, 115));
        Assert.Equal(Enumerable.Range(100, 16).Select(i => (ulong)i), batches.Take(2).ToArray());
        Assert.Equal(0, batches.Take(2).Length);
        Assert.Equal([7UL], batches.Take(1).ToArray());
        Assert.Equal(0, batches.Take(0).Length);
        Assert.Equal(4 * 16 * sizeof(ulong), batches.Bytes);
    }

    [Theory]
    [InlineData(1L << 30, 8, 13)] // 16 MiB of batches: a 64th, and the largest batches
    [InlineData(1L << 31, 8, 13)] // still the largest: 16 MiB, a 128th
    [InlineData(16L << 20, 8, 7)] // 256 KiB: a 64th
    [InlineData(1L << 20, 4, 7)] // 16 partitions of 128 hashes: 16 KiB
    [InlineData(1L << 17, 4, 4)] // 2 KiB: the smallest batches
    [InlineData((1L << 17) - 1, 4, -1)] // too small for any
    public void Batches_take_at_most_a_64th_of_the_limit(long limit, int partitionBits, int expectedBits)
    {
        int bits = PartitionBatches.BatchBitsFor(limit, partitionBits);

        Assert.Equal(expectedBits, bits);
        if (bits >= 0)
        {
            Assert.True(new PartitionBatches(1 << partitionBits, bits).Bytes <= limit / 64);
        }
    }

    [Fact]
    public void Keys_still_waiting_in_batches_are_counted_when_the_writer_completes()
    {
        // 300 keys over 256 partitions: no batch fills, so every key is still
        // waiting when the writer completes.
        Assert.Equal(11, PartitionBatches.BatchBitsFor(256 * MiB, SparseCounts.ChoosePartitionBits(256 * MiB)));
        CountingData data = CountingData.Random(40, rows: 30, keysPerRow: 20, seed: 5, hotKeys: 5);
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(40, 256 * MiB, directory.Path));
        Assert.False(counter.IsDense);

        data.CountInto(counter, writers: 1);

        Assert.Equal(data.ExpectedAbove(0), counter.SelectAbove(0, CancellationToken.None));
        Assert.Equal(0, counter.SpillFileCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Counts_are_exact_when_writers_spill_with_keys_waiting_in_batches(int writers)
    {
        // About 1.5 million keys against a 1 MiB limit: 16 partitions with
        // batches of 128, tables spilled many times while other partitions'
        // batches are part full.
        CountingData data = CountingData.Random(40, rows: 12_000, keysPerRow: 250, seed: 17);
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(40, MiB, directory.Path));

        data.CountInto(counter, writers);

        Assert.Equal(data.ExpectedAbove(0), counter.SelectAbove(0, CancellationToken.None));
        Assert.True(counter.SpillFileCount > 0);
        Assert.InRange(counter.PeakMemoryBytes, 1, MiB);
        Assert.Empty(directory.Files);
    }

    [Fact]
    public void The_batches_memory_is_accounted_while_writing_and_given_back_at_completion()
    {
        CountingData data = CountingData.Random(40, rows: 2_000, keysPerRow: 50, seed: 23);
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(40, 64 * MiB, directory.Path));
        long batchBytes = new PartitionBatches(256, PartitionBatches.BatchBitsFor(64 * MiB, 8)).Bytes;
        using (KeyCountWriter writer = counter.CreateWriter())
        {
            // The empty tables (256 of 16 slots) and the batches at least.
            Assert.True(counter.Budget.Reserved >= batchBytes + (256L * 16 * 16));
            foreach (ulong[] row in data.Rows)
            {
                writer.AddRow(row);
            }
        }

        // The selection gives back every table; nothing else may be left.
        Assert.Equal(data.ExpectedAbove(1), counter.SelectAbove(1, CancellationToken.None));
        Assert.Equal(0, counter.Budget.Reserved);
        Assert.InRange(counter.PeakMemoryBytes, batchBytes, 64 * MiB);
    }
}
