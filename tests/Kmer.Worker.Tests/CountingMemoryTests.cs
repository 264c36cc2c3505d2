using Kmer.Core.Counting;
using Kmer.Worker.Analysis;

namespace Kmer.Worker.Tests;

/// <summary>The shape of the last analysis is process-wide: these tests run alone.</summary>
[CollectionDefinition(nameof(CountingMemoryCollection), DisableParallelization = true)]
public sealed class CountingMemoryCollection;

/// <summary>
/// Before an analysis of another counting shape than the last one, the memory
/// the runtime kept from that one is given back; the same shape keeps it.
/// </summary>
[Collection(nameof(CountingMemoryCollection))]
public sealed class CountingMemoryTests
{
    private const long GiB = 1L << 30;

    // At 1 GiB: 24-bit keys (k = 8, b = 8) are dense, 32-bit ones (k = 12, b = 8) sparse.
    private static readonly KeyCountingOptions Dense24 = new(24, GiB, "/nonexistent", 8);
    private static readonly KeyCountingOptions Dense22 = new(22, GiB, "/nonexistent", 8);
    private static readonly KeyCountingOptions Sparse32 = new(32, GiB, "/nonexistent", 8);
    private static readonly KeyCountingOptions Sparse40 = new(40, GiB, "/nonexistent", 8);

    [Fact]
    public void Only_a_change_of_shape_gives_memory_back()
    {
        Assert.Equal(24, CountingMemory.ShapeOf(Dense24));
        Assert.Equal(-1, CountingMemory.ShapeOf(Sparse32));

        CountingMemory.PrepareFor(Dense24);
        Assert.False(CountingMemory.PrepareFor(Dense24));
        Assert.True(CountingMemory.PrepareFor(Sparse32));
        Assert.False(CountingMemory.PrepareFor(Sparse40));
        Assert.True(CountingMemory.PrepareFor(Dense22));
        Assert.True(CountingMemory.PrepareFor(Dense24));
    }

    [Fact]
    public void A_change_of_shape_decommits_the_memory_of_collected_arrays()
    {
        CountingMemory.PrepareFor(Sparse32);

        // 256 MiB of large arrays, written (so committed), then garbage and
        // collected without compaction, as after an analysis.
        var arrays = new List<byte[]>();
        for (int i = 0; i < 64; i++)
        {
            byte[] array = GC.AllocateUninitializedArray<byte>(4 << 20);
            array.AsSpan().Fill(1);
            arrays.Add(array);
        }

        // Each figure is the one of the collection just made.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        long withArrays = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;
        arrays.Clear();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        long kept = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;

        Assert.True(CountingMemory.PrepareFor(Dense24));
        long after = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;
        Assert.True(
            kept - after >= 128L << 20,
            $"committed: {withArrays >> 20} MiB with the arrays, {kept >> 20} MiB after an ordinary collection, {after >> 20} MiB after the change of shape");
    }
}
