namespace Kmer.Cli;

/// <summary>The outcome of <c>kmer-cli index</c>.</summary>
/// <param name="Table">The table argument as given.</param>
/// <param name="Column">The column argument as given.</param>
/// <param name="Partitions">The function's rows, in its order.</param>
/// <param name="Elapsed">Wall time of the call.</param>
public sealed record IndexResult(string Table, string Column, IReadOnlyList<IndexPartitionRow> Partitions, TimeSpan Elapsed)
{
    /// <summary>Partitions whose index was built or kept.</summary>
    public int Succeeded => Partitions.Count(p => p.Success);

    /// <summary>Partitions whose index could not be built.</summary>
    public int Failed => Partitions.Count(p => !p.Success);
}
