namespace Kmer.Worker.Analysis;

/// <summary>
/// Cuts the leaves' heaps into block ranges of about <c>batch_size</c> rows,
/// the work units the readers take one at a time.
/// </summary>
/// <remarks>
/// Rows per block come from the leaf's statistics (<c>reltuples</c> /
/// <c>relpages</c>), or are taken as <see cref="DefaultRowsPerBlock"/> when
/// the leaf was never vacuumed or analysed. Every leaf gets at least one
/// range, and its last range has no end block, so rows in blocks added after
/// the leaf was measured are read too and nothing is missed.
/// </remarks>
internal static class RangePlanner
{
    /// <summary>The rows-per-block estimate for a leaf without statistics.</summary>
    public const double DefaultRowsPerBlock = 100;

    /// <summary>The ranges of <paramref name="leaves"/>, leaf by leaf, each leaf's in block order.</summary>
    public static IReadOnlyList<BlockRange> Plan(IReadOnlyList<Leaf> leaves, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var ranges = new List<BlockRange>();
        foreach (Leaf leaf in leaves)
        {
            long step = BlocksPerRange(leaf, batchSize);
            long start = 0;
            while (start + step < leaf.Blocks)
            {
                ranges.Add(new BlockRange(leaf, start, start + step));
                start += step;
            }

            ranges.Add(new BlockRange(leaf, start, null));
        }

        return ranges;
    }

    /// <summary>Blocks per range for <paramref name="leaf"/>: <paramref name="batchSize"/> rows' worth, at least one.</summary>
    public static long BlocksPerRange(Leaf leaf, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        double rowsPerBlock = leaf.RowsPerBlock ?? DefaultRowsPerBlock;
        double blocks = Math.Ceiling(batchSize / Math.Max(rowsPerBlock, 1e-9));
        return blocks >= uint.MaxValue ? uint.MaxValue : Math.Max(1, (long)blocks);
    }

    /// <summary>The estimated number of rows of <paramref name="leaves"/> (statistics, else the default density).</summary>
    public static long EstimateRows(IReadOnlyList<Leaf> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        double total = 0;
        foreach (Leaf leaf in leaves)
        {
            total += leaf.Blocks * (leaf.RowsPerBlock ?? DefaultRowsPerBlock);
        }

        return (long)Math.Min(total, long.MaxValue);
    }
}
