namespace Kmer.Core;

/// <summary>
/// Receives the n-gram keys of one sequence from <see cref="NgramKeyExtractor"/>,
/// one call per key in emission order.
/// </summary>
/// <remarks>
/// Implement it on a struct (or ref struct) and pass it by <c>ref</c>: the
/// extractor is generic over the sink type, so the JIT specialises and inlines
/// the call and nothing is allocated per key or per sequence.
/// </remarks>
public interface INgramKeySink
{
    /// <summary>Takes one key (the low <see cref="KmerSettings.TotalBits"/> bits are significant).</summary>
    void Add(ulong key);
}
