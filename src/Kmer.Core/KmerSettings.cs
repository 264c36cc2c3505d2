using System.Globalization;

namespace Kmer.Core;

/// <summary>
/// The k-mer parameters that shape every n-gram key: the k-mer length k
/// (<c>kmersearch.kmer_size</c>) and the number of occurrence bits b
/// (<c>kmersearch.occur_bitlen</c>). A key has <see cref="TotalBits"/> = 2k + b
/// significant bits: the k-mer value in the high 2k bits, the 0-based
/// occurrence index in the low b bits.
/// </summary>
/// <remarks>
/// Values are only made by the constructor, which enforces the same ranges as
/// the GUCs, so every instance except <c>default</c> (k = 0) is valid.
/// </remarks>
public readonly record struct KmerSettings
{
    /// <summary>Smallest k-mer length.</summary>
    public const int MinKmerSize = 4;

    /// <summary>Largest k-mer length.</summary>
    public const int MaxKmerSize = 32;

    /// <summary>Largest number of occurrence bits.</summary>
    public const int MaxOccurBitlen = 16;

    /// <summary>Largest key size in bits: 2k + b must not exceed it.</summary>
    public const int MaxTotalBits = 64;

    /// <summary>Creates validated settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// k is outside 4..32, b is outside 0..16, or 2k + b is more than 64.
    /// </exception>
    public KmerSettings(int kmerSize, int occurBitlen)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kmerSize, MinKmerSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(kmerSize, MaxKmerSize);
        ArgumentOutOfRangeException.ThrowIfNegative(occurBitlen);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(occurBitlen, MaxOccurBitlen);
        if (2 * kmerSize + occurBitlen > MaxTotalBits)
        {
            throw new ArgumentOutOfRangeException(
                nameof(occurBitlen),
                occurBitlen,
                string.Create(CultureInfo.InvariantCulture, $"2 × kmer_size + occur_bitlen must be at most {MaxTotalBits}, but k = {kmerSize} and b = {occurBitlen} need {2 * kmerSize + occurBitlen} bits."));
        }

        KmerSize = kmerSize;
        OccurBitlen = occurBitlen;
    }

    /// <summary>The k-mer length k (4..32).</summary>
    public int KmerSize { get; }

    /// <summary>The number of occurrence bits b (0..16); 0 keeps only the first occurrence of each k-mer.</summary>
    public int OccurBitlen { get; }

    /// <summary>Significant bits of a key: 2k + b (at most 64).</summary>
    public int TotalBits => 2 * KmerSize + OccurBitlen;

    /// <summary>
    /// Width in bits of the integer a key is stored in (16, 32 or 64 for
    /// <see cref="TotalBits"/> up to 16, up to 32, above), i.e. which GIN
    /// operator class (<c>_int2</c>, <c>_int4</c>, <c>_int8</c>) accepts the keys.
    /// </summary>
    public int KeyWidth => TotalBits switch
    {
        <= 16 => 16,
        <= 32 => 32,
        _ => 64,
    };

    /// <summary>"k = 16, b = 8".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"k = {KmerSize}, b = {OccurBitlen}");
}
