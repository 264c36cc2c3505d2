namespace Kmer.Core.Counting;

/// <summary>A key and the number of rows it was counted in.</summary>
/// <param name="Key">The key.</param>
/// <param name="Count">The number of rows whose keys included it.</param>
public readonly record struct KeyCount(ulong Key, long Count);
