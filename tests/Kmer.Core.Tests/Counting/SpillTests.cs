using System.Buffers.Binary;
using Kmer.Core.Counting;

namespace Kmer.Core.Tests.Counting;

/// <summary>The sparse strategy under memory pressure: spill files, their format, splitting, fallbacks, and clean-up after failures.</summary>
public sealed class SpillTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void Spill_files_hold_little_endian_key_count_records_that_add_up()
    {
        CountingData data = CountingData.Random(40, rows: 8_000, keysPerRow: 60, seed: 11);
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(40, MiB, directory.Path));
        data.CountInto(counter, writers: 2);

        // Once anything spilled, every completed writer is spilled: all counts are on disk.
        Assert.NotEmpty(directory.Files);
        Assert.Equal(directory.Files.Length, counter.SpillFileCount);
        var sums = new Dictionary<ulong, long>();
        foreach (string file in directory.Files)
        {
            byte[] bytes = File.ReadAllBytes(file);
            Assert.Equal(0, bytes.Length % 16);
            for (int offset = 0; offset < bytes.Length; offset += 16)
            {
                ulong key = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset));
                long count = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(offset + 8));
                Assert.InRange(key, 0UL, data.MaxKey);
                Assert.True(count > 0);
                sums[key] = sums.GetValueOrDefault(key) + count;
            }
        }

        Assert.Equal(data.Expected.OrderBy(p => p.Key), sums.OrderBy(p => p.Key));
        Assert.Equal(data.ExpectedAbove(2), counter.SelectAbove(2, CancellationToken.None));
        Assert.Empty(directory.Files);
    }

    [Fact]
    public void Partitions_too_large_for_memory_are_split_by_further_hash_bits()
    {
        // About 600,000 distinct keys against a 1 MiB limit: 16 partitions, each
        // far more than one selection thread's table holds.
        CountingData data = CountingData.Random(48, rows: 10_000, keysPerRow: 120, seed: 3);
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(48, MiB, directory.Path));
        data.CountInto(counter, writers: 2);

        Assert.Equal(data.ExpectedAbove(0), counter.SelectAbove(0, CancellationToken.None));
        Assert.True(counter.SpillFileCount > 2 * 16, $"{counter.SpillFileCount} files: no partition was split");
        Assert.InRange(counter.PeakMemoryBytes, 1, MiB);
        Assert.Empty(directory.Files);
    }

    [Fact]
    public void Held_tables_are_selected_without_more_memory()
    {
        CountingData data = CountingData.Random(40, rows: 6_000, keysPerRow: 60, seed: 5);
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(40, 64 * MiB, directory.Path));
        data.CountInto(counter, writers: 3);
        Assert.Equal(0, counter.SpillFileCount);

        // No memory left: the selection reads the tables where they are.
        counter.Budget.Reserve(64 * MiB);

        Assert.Equal(data.ExpectedAbove(1), counter.SelectAbove(1, CancellationToken.None));
        Assert.Equal(0, counter.SpillFileCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public void Cancelling_the_selection_midway_leaves_no_file_after_dispose(int limitMiB)
    {
        CountingData data = CountingData.Random(40, rows: 6_000, keysPerRow: 60, seed: 9);
        using var directory = new TempDirectory();
        using var cancellation = new CancellationTokenSource();
        var counter = KeyCounter.Create(new KeyCountingOptions(40, limitMiB * MiB, directory.Path));
        data.CountInto(counter, writers: 2);
        int partitions = 0;
        counter.PartitionSelected = () =>
        {
            if (Interlocked.Increment(ref partitions) == 2)
            {
                cancellation.Cancel();
            }
        };

        Assert.ThrowsAny<OperationCanceledException>(() => counter.SelectAbove(0, cancellation.Token));
        Assert.Equal(limitMiB == 1, directory.Files.Length > 0);

        counter.Dispose();
        Assert.Empty(directory.Files);
    }

    [Fact]
    public void A_cancelled_token_stops_the_selection_before_it_starts()
    {
        CountingData data = CountingData.Random(40, rows: 2_000, keysPerRow: 60, seed: 13);
        using var directory = new TempDirectory();
        var counter = KeyCounter.Create(new KeyCountingOptions(40, MiB, directory.Path));
        data.CountInto(counter, writers: 2);

        Assert.ThrowsAny<OperationCanceledException>(() => counter.SelectAbove(0, new CancellationToken(canceled: true)));

        counter.Dispose();
        Assert.Empty(directory.Files);
    }

    [Fact]
    public void A_failing_selection_leaves_no_file_after_dispose()
    {
        CountingData data = CountingData.Random(40, rows: 6_000, keysPerRow: 60, seed: 17);
        using var directory = new TempDirectory();
        var counter = KeyCounter.Create(new KeyCountingOptions(40, MiB, directory.Path));
        data.CountInto(counter, writers: 2);
        string[] files = directory.Files;
        Assert.True(files.Length > 1);
        File.Delete(files[files.Length / 2]);

        Assert.ThrowsAny<IOException>(() => counter.SelectAbove(0, CancellationToken.None));

        counter.Dispose();
        Assert.Empty(directory.Files);
    }

    [Fact]
    public void Disposing_before_the_selection_deletes_the_files_and_lets_late_writers_finish()
    {
        CountingData data = CountingData.Random(40, rows: 4_000, keysPerRow: 60, seed: 19);
        using var directory = new TempDirectory();
        var counter = KeyCounter.Create(new KeyCountingOptions(40, MiB, directory.Path));
        KeyCountWriter late = counter.CreateWriter();
        late.AddRow([1, 2, 3]);
        data.CountInto(counter, writers: 2);
        Assert.NotEmpty(directory.Files);

        counter.Dispose();
        Assert.Empty(directory.Files);

        late.Dispose();
        Assert.Empty(directory.Files);
        Assert.Throws<ObjectDisposedException>(() => counter.CreateWriter());
    }

    [Fact]
    public void Writers_that_spill_alone_stay_within_the_limit()
    {
        // One writer with many keys, one with few: each spills on its own schedule.
        var rows = new List<ulong[]>();
        var random = new Random(23);
        for (int r = 0; r < 8_000; r++)
        {
            var row = new HashSet<ulong>();
            int n = r % 2 == 0 ? 100 : 3;
            while (row.Count < n)
            {
                row.Add((ulong)random.NextInt64(1L << 36));
            }

            rows.Add([.. row]);
        }

        CountingData data = CountingData.FromRows(36, rows);
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(36, 2 * MiB, directory.Path));
        data.CountInto(counter, writers: 2);

        Assert.Equal(data.ExpectedAbove(0), counter.SelectAbove(0, CancellationToken.None));
        Assert.True(counter.SpillFileCount > 0);
        Assert.InRange(counter.PeakMemoryBytes, 1, 2 * MiB);
    }

    [Fact]
    public void A_writer_created_when_the_limit_is_taken_still_counts()
    {
        CountingData data = CountingData.Random(40, rows: 3_000, keysPerRow: 60, seed: 29);
        using var directory = new TempDirectory();
        using var counter = KeyCounter.Create(new KeyCountingOptions(40, MiB, directory.Path));
        counter.Budget.Reserve(MiB);

        // The new writers' empty tables go past the limit, everything they count spills.
        data.CountInto(counter, writers: 2);
        counter.Budget.Release(MiB);

        Assert.Equal(data.ExpectedAbove(0), counter.SelectAbove(0, CancellationToken.None));
        Assert.True(counter.SpillFileCount > 0);
        Assert.Empty(directory.Files);
    }
}
