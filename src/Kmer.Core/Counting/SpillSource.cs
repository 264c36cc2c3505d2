namespace Kmer.Core.Counting;

/// <summary>A spill file and the number of bytes of records in it.</summary>
internal readonly record struct SpillSource(string Path, long Length);
