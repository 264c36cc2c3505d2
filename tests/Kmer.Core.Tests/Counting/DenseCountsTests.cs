using Kmer.Core.Counting;

namespace Kmer.Core.Tests.Counting;

/// <summary>
/// The dense strategy's writer arrays and its moved low bits, against a
/// dictionary count: writers that count enough keys take arrays of their own
/// (when the limit allows) and add them to the shared array at the end.
/// </summary>
public sealed class DenseCountsTests
{
    private const long MiB = 1L << 20;

    [Theory]
    // keyBits, rareLowBits, limit (MiB), writers: 16 bits = 256 KiB an array,
    // so each writer's 18,000 keys and more pass the mark of a sixteenth of the array.
    [InlineData(16, 0, 1, 2)]
    [InlineData(16, 4, 1, 3)]
    [InlineData(16, 16, 1, 2)]
    [InlineData(16, 8, 1, 8)]
    // 20 bits = 4 MiB an array in an 8 MiB limit: the shared array and one
    // writer's fit, so the other writers count on the shared array.
    [InlineData(20, 8, 8, 3)]
    public void Writer_arrays_and_moved_bits_count_every_key(int keyBits, int rareLowBits, int limitMiB, int writers)
    {
        CountingData data = CountingData.Random(keyBits, rows: 12_000, keysPerRow: 60, seed: keyBits * 7 + rareLowBits + writers, hotKeys: 200);
        using var counter = KeyCounter.Create(new KeyCountingOptions(keyBits, limitMiB * MiB, "/nonexistent", rareLowBits));
        Assert.True(counter.IsDense);

        data.CountInto(counter, writers);

        Assert.Equal(data.ExpectedAbove(0), counter.SelectAbove(0, CancellationToken.None));
        Assert.InRange(counter.PeakMemoryBytes, 1, limitMiB * MiB);
    }

    [Theory]
    // Which way the one key with high moved bits is counted: a writer's own
    // array, the shared array (a writer with few keys), or Add.
    [InlineData("own")]
    [InlineData("shared")]
    [InlineData("add")]
    public void Keys_in_the_rare_blocks_are_counted_when_the_others_are_in_the_first(string how)
    {
        // 20-bit keys, 6 moved bits: nearly all keys have low bits 0 or 1 (the
        // first two blocks of the index), a few 5, and one key 63 (the last block).
        const int keyBits = 20;
        var random = new Random(11);
        var rows = new List<ulong[]>();
        for (int r = 0; r < 12_000; r++)
        {
            var row = new HashSet<ulong>();
            while (row.Count < 60)
            {
                ulong kmer = (ulong)random.Next(1 << 14);
                ulong low = random.Next(100) switch { 0 => 5UL, < 20 => 1UL, _ => 0UL };
                row.Add((kmer << 6) | low);
            }

            rows.Add([.. row]);
        }

        CountingData data = CountingData.FromRows(keyBits, rows);
        using var counter = KeyCounter.Create(new KeyCountingOptions(keyBits, 64 * MiB, "/nonexistent", 6));
        data.CountInto(counter, writers: 2);
        ulong rare = (123UL << 6) | 63;
        var expected = new Dictionary<ulong, long>(data.Expected) { [rare] = 3 };
        switch (how)
        {
            case "own":
            case "shared":
                using (KeyCountWriter writer = counter.CreateWriter())
                {
                    int times = how == "own" ? 70_000 : 3;
                    for (int i = 0; i < times; i++)
                    {
                        // A writer of 70,000 keys takes its own array after 65,536 (a sixteenth of 2^20).
                        ulong key = i < times - 3 ? (ulong)i % 64 << 6 : rare;
                        writer.AddRow([key]);
                        if (key != rare)
                        {
                            expected[key] = expected.GetValueOrDefault(key) + 1;
                        }
                    }
                }

                break;
            default:
                counter.AddDense(rare, 3);
                break;
        }

        Assert.Equal(
            expected.Select(e => new KeyCount(e.Key, e.Value)).OrderBy(e => e.Key),
            counter.SelectAbove(0, CancellationToken.None));
    }

    [Fact]
    public void Writer_arrays_are_taken_only_while_the_limit_allows()
    {
        // 20-bit keys: 4 MiB an array; an 8 MiB limit holds the shared array and one more.
        CountingData data = CountingData.Random(20, rows: 12_000, keysPerRow: 60, seed: 5, hotKeys: 200);
        using var counter = KeyCounter.Create(new KeyCountingOptions(20, 8 * MiB, "/nonexistent", 4));

        data.CountInto(counter, writers: 1);

        // One writer with 720,000 keys passes the mark (65,536: a sixteenth of the array) and takes one.
        Assert.Equal(8 * MiB, counter.PeakMemoryBytes);
        Assert.Equal(data.ExpectedAbove(3), counter.SelectAbove(3, CancellationToken.None));
    }

    [Fact]
    public void A_writer_that_counts_few_keys_stays_on_the_shared_array()
    {
        using var counter = KeyCounter.Create(new KeyCountingOptions(20, 64 * MiB, "/nonexistent", 4));
        using (KeyCountWriter writer = counter.CreateWriter())
        {
            writer.AddRow([1, 2, 3]);
        }

        Assert.Equal(4 * MiB, counter.PeakMemoryBytes);
        Assert.Equal([new KeyCount(1, 1), new KeyCount(2, 1), new KeyCount(3, 1)], counter.SelectAbove(0, CancellationToken.None));
    }

    [Fact]
    public void A_writer_array_added_to_a_full_counter_carries_past_32_bits()
    {
        // 8-bit keys: the writer takes its own array after 16 keys.
        using var counter = KeyCounter.Create(new KeyCountingOptions(8, MiB, "/nonexistent", 2));
        counter.AddDense(0b1011_0001, uint.MaxValue);
        using (KeyCountWriter writer = counter.CreateWriter())
        {
            for (ulong key = 0; key < 64; key++)
            {
                writer.AddRow([key]);
            }

            writer.AddRow([0b1011_0001, 7]);
            writer.AddRow([0b1011_0001]);
        }

        IReadOnlyList<KeyCount> counts = counter.SelectAbove(1, CancellationToken.None);

        Assert.Equal([new KeyCount(7, 2), new KeyCount(0b1011_0001, uint.MaxValue + 2L)], counts);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(17)]
    public void Rare_low_bits_beyond_the_key_are_refused(int rareLowBits) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyCounter.Create(new KeyCountingOptions(16, MiB, "/nonexistent", rareLowBits)));
}
