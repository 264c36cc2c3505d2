using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Kmer.Core.Counting;

/// <summary>
/// One entry of the sparse strategy's open-addressing tables, and the layout of
/// its spill records: 16 bytes, the key then the count, both little-endian.
/// In tables <see cref="Hash"/> holds the key multiplied by <see cref="KeyHash.Multiplier"/>;
/// in files and read buffers straight from a file it holds the key itself.
/// A slot with <see cref="Count"/> 0 is empty.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CountSlot
{
    public const int Size = 16;

    public ulong Hash;
    public long Count;
}

/// <summary>
/// The keys' hash: multiplication by an odd constant, a bijection on 64-bit
/// values, so tables store the hash instead of the key and get the key back
/// by multiplying with the inverse. Partitions are picked by the hash's top
/// bits and table slots by the bits below them.
/// </summary>
internal static class KeyHash
{
    /// <summary>2^64 / golden ratio, odd.</summary>
    public const ulong Multiplier = 0x9E3779B97F4A7C15UL;

    /// <summary>The multiplicative inverse of <see cref="Multiplier"/> modulo 2^64.</summary>
    public const ulong Inverse = 0xF1DE83E19937733DUL;

    /// <summary>Turns records read from a file (keys, little-endian) into table entries (hashes, native order).</summary>
    public static void ToHashes(Span<CountSlot> slots)
    {
        FixEndianness(slots);
        foreach (ref CountSlot slot in slots)
        {
            slot.Hash *= Multiplier;
        }
    }

    /// <summary>Turns table entries into records to write to a file.</summary>
    public static void ToKeys(Span<CountSlot> slots)
    {
        foreach (ref CountSlot slot in slots)
        {
            slot.Hash *= Inverse;
        }

        FixEndianness(slots);
    }

    private static void FixEndianness(Span<CountSlot> slots)
    {
        if (!BitConverter.IsLittleEndian)
        {
            Span<ulong> words = MemoryMarshal.Cast<CountSlot, ulong>(slots);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }
}
