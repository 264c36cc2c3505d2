namespace Kmer.Core;

/// <summary>
/// A DNA2 or DNA4 value in its stored form: a bit length and the bases packed
/// most significant bit first into ceil(bit length / 8) bytes, padding bits zero.
/// </summary>
/// <remarks>
/// A readonly struct rather than a class: the worker materialises millions of
/// values from binary COPY, and a struct adds no allocation beyond the data
/// bytes themselves. Values are only made by <see cref="DnaCodec"/>, which
/// validates them, so every instance is well formed; <c>default(PackedDna)</c>
/// is the empty DNA2 value. Equality compares alphabet, bit length and data bytes.
/// </remarks>
public readonly struct PackedDna : IEquatable<PackedDna>
{
    private readonly DnaAlphabet? _alphabet;

    internal PackedDna(DnaAlphabet alphabet, int bitLength, ReadOnlyMemory<byte> data)
    {
        _alphabet = alphabet;
        BitLength = bitLength;
        Data = data;
    }

    /// <summary>The alphabet (type) of the value.</summary>
    public DnaAlphabet Alphabet => _alphabet ?? DnaAlphabet.Dna2;

    /// <summary>Number of meaningful bits: bases × <see cref="DnaAlphabet.BitsPerBase"/>.</summary>
    public int BitLength { get; }

    /// <summary>The packed bytes, ceil(<see cref="BitLength"/> / 8) of them, MSB first, zero padded.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Number of bases.</summary>
    public int Length => BitLength / Alphabet.BitsPerBase;

    /// <summary>Whether the value holds no bases.</summary>
    public bool IsEmpty => BitLength == 0;

    /// <summary>The code of base <paramref name="index"/> (0-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Length"/>.</exception>
    public byte this[int index]
    {
        get
        {
            DnaAlphabet alphabet = Alphabet;
            int bits = alphabet.BitsPerBase;
            if ((uint)index >= (uint)(BitLength / bits))
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"The value has {BitLength / bits} bases.");
            }

            int bit = index * bits;
            int shift = 8 - bits - (bit & 7);
            return (byte)((Data.Span[bit >> 3] >> shift) & alphabet.CodeMask);
        }
    }

    /// <inheritdoc />
    public bool Equals(PackedDna other) =>
        ReferenceEquals(Alphabet, other.Alphabet)
        && BitLength == other.BitLength
        && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PackedDna other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Alphabet);
        hash.Add(BitLength);
        hash.AddBytes(Data.Span);
        return hash.ToHashCode();
    }

    /// <summary>The bases as upper-case text (same as <see cref="DnaCodec.Decode"/>).</summary>
    public override string ToString() => DnaCodec.Decode(this);

    /// <summary>Value equality.</summary>
    public static bool operator ==(PackedDna left, PackedDna right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(PackedDna left, PackedDna right) => !left.Equals(right);
}
