namespace Kmer.Core.Counting;

/// <summary>How a <see cref="KeyCounter"/> counts.</summary>
/// <param name="KeyBits">
/// Significant bits of a key, 1..64 (for n-gram keys <see cref="KmerSettings.TotalBits"/>);
/// every key passed to <see cref="KeyCountWriter.AddRow"/> must be below 2^KeyBits.
/// </param>
/// <param name="MemoryLimitBytes">
/// The most memory the counter's tables and buffers may take together, at least
/// <see cref="KeyCounter.MinimumMemoryLimitBytes"/>. The dense strategy is used
/// when 2^KeyBits 32-bit counters fit in half of it.
/// </param>
/// <param name="SpillDirectory">
/// An existing directory for the sparse strategy's temporary files (the caller
/// creates it; the counter only creates and deletes its own files inside it).
/// Not used by the dense strategy.
/// </param>
/// <param name="RareLowBits">
/// How many of a key's lowest bits are nearly always 0 (for n-gram keys the
/// occurrence number, <see cref="KmerSettings.OccurBitlen"/>), 0..KeyBits.
/// Only a hint for speed: the dense strategy moves these bits to the top of
/// its array index, so the frequent keys share cache lines. Counts and
/// selections are the same whatever it is.
/// </param>
public sealed record KeyCountingOptions(int KeyBits, long MemoryLimitBytes, string SpillDirectory, int RareLowBits = 0);
