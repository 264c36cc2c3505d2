using System.Buffers.Binary;
using System.Text;

namespace Kmer.Core.Tests;

/// <summary>Round-trip properties over random sequences from fixed seeds.</summary>
public sealed class PropertyTests
{
    private const int Iterations = 300;

    [Theory]
    [InlineData("DNA2", 20240601)]
    [InlineData("DNA2", 7)]
    [InlineData("DNA4", 20240601)]
    [InlineData("DNA4", 7)]
    public void Random_text_round_trips_through_packed_and_wire(string type, int seed)
    {
        DnaAlphabet alphabet = VectorFiles.Alphabet(type);
        var random = new Random(seed);
        string accepted = alphabet.AcceptedLetters;

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            int length = random.Next(0, 301);
            var input = new StringBuilder(length);
            for (int i = 0; i < length; i++)
            {
                char letter = accepted[random.Next(accepted.Length)];
                input.Append(random.Next(2) == 0 ? letter : char.ToLowerInvariant(letter));
            }

            string text = input.ToString();
            string expected = text.ToUpperInvariant().Replace('U', 'T');

            PackedDna packed = DnaCodec.Encode(alphabet, text);
            Assert.Equal(length, packed.Length);
            Assert.Equal(length * alphabet.BitsPerBase, packed.BitLength);
            Assert.Equal((packed.BitLength + 7) / 8, packed.Data.Length);

            byte[] wire = DnaCodec.WriteWire(packed);
            PackedDna back = DnaCodec.ReadWire(alphabet, wire);
            Assert.Equal(packed, back);
            Assert.Equal(packed.GetHashCode(), back.GetHashCode());
            Assert.Equal(expected, DnaCodec.Decode(back));

            // One byte more is trailing garbage; one byte less is cut short.
            var longer = new byte[wire.Length + 1];
            wire.CopyTo(longer, 0);
            Assert.Equal("22P03", Assert.Throws<InvalidDnaException>(() => DnaCodec.ReadWire(alphabet, longer)).SqlState);
            if (length > 0)
            {
                Assert.Equal("08P01", Assert.Throws<InvalidDnaException>(() => DnaCodec.ReadWire(alphabet, wire.AsSpan(0, wire.Length - 1))).SqlState);
            }
        }
    }

    [Theory]
    [InlineData("DNA2", 11)]
    [InlineData("DNA4", 11)]
    public void Random_wire_bytes_are_accepted_exactly_when_every_symbol_is_valid(string type, int seed)
    {
        DnaAlphabet alphabet = VectorFiles.Alphabet(type);
        var random = new Random(seed);

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            // Whole bytes only, so there are no padding bits to get wrong.
            int byteCount = random.Next(0, 40);
            var wire = new byte[DnaCodec.WireHeaderLength + byteCount];
            BinaryPrimitives.WriteInt32BigEndian(wire, byteCount * 8);
            random.NextBytes(wire.AsSpan(DnaCodec.WireHeaderLength));

            bool allValid = true;
            for (int i = DnaCodec.WireHeaderLength; i < wire.Length; i++)
            {
                for (int shift = 8 - alphabet.BitsPerBase; shift >= 0; shift -= alphabet.BitsPerBase)
                {
                    allValid &= alphabet.IsValidCode((wire[i] >> shift) & ((1 << alphabet.BitsPerBase) - 1));
                }
            }

            if (allValid)
            {
                PackedDna value = DnaCodec.ReadWire(alphabet, wire);
                Assert.Equal(wire, DnaCodec.WriteWire(value));
                Assert.Equal(value, DnaCodec.Encode(alphabet, DnaCodec.Decode(value)));
            }
            else
            {
                var ex = Assert.Throws<InvalidDnaException>(() => DnaCodec.ReadWire(alphabet, wire));
                Assert.Equal("22P03", ex.SqlState);
            }
        }
    }
}
