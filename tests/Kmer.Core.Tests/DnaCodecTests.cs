using System.Buffers;

namespace Kmer.Core.Tests;

/// <summary>Behaviour not covered by the shared vectors: messages, tables, API edges.</summary>
public sealed class DnaCodecTests
{
    [Fact]
    public void Text_error_names_the_character_its_position_and_the_type()
    {
        var ex = Assert.Throws<InvalidDnaException>(() => DnaCodec.Encode(DnaAlphabet.Dna2, "ACGN"));
        Assert.Equal("invalid character \"N\" in DNA2 input", ex.Message);
        Assert.Equal("The character is byte 4 of the input.", ex.Detail);
        Assert.Equal("DNA2 accepts only the letters A, C, G, T and U, in upper or lower case.", ex.Hint);
        Assert.Equal(InvalidDnaException.InvalidTextRepresentation, ex.SqlState);
    }

    [Fact]
    public void Text_error_shows_an_unprintable_or_non_ascii_byte_in_hex()
    {
        var tab = Assert.Throws<InvalidDnaException>(() => DnaCodec.Encode(DnaAlphabet.Dna4, "AC\tG"));
        Assert.Equal("invalid character \"\\x09\" in DNA4 input", tab.Message);
        Assert.Equal("The character is byte 3 of the input.", tab.Detail);
        Assert.StartsWith("DNA4 accepts only the letters A, C, G, T, U, M, R, W, S, Y, K, V, H, D, B and N", tab.Hint, StringComparison.Ordinal);

        var accent = Assert.Throws<InvalidDnaException>(() => DnaCodec.Encode(DnaAlphabet.Dna4, "é"));
        Assert.Equal("invalid character \"\\xC3\" in DNA4 input", accent.Message);
    }

    [Fact]
    public void Long_text_goes_through_the_pooled_buffer()
    {
        string text = string.Concat(Enumerable.Repeat("ACGT", 1000));
        Assert.Equal(text, DnaCodec.Decode(DnaCodec.Encode(DnaAlphabet.Dna2, text)));

        var ex = Assert.Throws<InvalidDnaException>(() => DnaCodec.Encode(DnaAlphabet.Dna2, text + "N"));
        Assert.Equal(4000, ex.ByteOffset);
    }

    [Fact]
    public void Dna4_ambiguity_codes_are_the_union_of_their_bases()
    {
        var meaning = new Dictionary<char, string>
        {
            ['A'] = "A", ['C'] = "C", ['G'] = "G", ['T'] = "T", ['U'] = "T",
            ['M'] = "AC", ['R'] = "AG", ['W'] = "AT", ['S'] = "CG", ['Y'] = "CT", ['K'] = "GT",
            ['V'] = "ACG", ['H'] = "ACT", ['D'] = "AGT", ['B'] = "CGT", ['N'] = "ACGT",
        };
        var oneHot = new Dictionary<char, int> { ['A'] = 1, ['C'] = 2, ['G'] = 4, ['T'] = 8 };

        Assert.Equal(meaning.Keys.Order(), DnaAlphabet.Dna4.AcceptedLetters.Order());
        foreach ((char letter, string bases) in meaning)
        {
            int expected = bases.Sum(b => oneHot[b]);
            Assert.Equal(expected, DnaAlphabet.Dna4.CodeTable[letter]);
            Assert.Equal(expected, DnaAlphabet.Dna4.CodeTable[char.ToLowerInvariant(letter)]);
        }
    }

    [Theory]
    [InlineData("DNA2", "ACGTU", "ACGT")]
    [InlineData("DNA4", "ACGTUMRWSYKVHDBN", "?ACMGRSVTWYHKDBN")]
    public void Code_table_accepts_exactly_the_listed_letters_in_either_case(string type, string accepted, string letters)
    {
        DnaAlphabet alphabet = VectorFiles.Alphabet(type);
        Assert.Equal(type, alphabet.Name);
        Assert.Equal(accepted, alphabet.AcceptedLetters);
        Assert.Equal(letters, alphabet.Letters);
        Assert.Equal(1 << alphabet.BitsPerBase, alphabet.Letters.Length);
        Assert.Equal(256, alphabet.CodeTable.Length);

        for (int b = 0; b < 256; b++)
        {
            bool listed = b < 128 && accepted.Contains(char.ToUpperInvariant((char)b), StringComparison.Ordinal);
            Assert.Equal(listed, alphabet.CodeTable[b] != DnaAlphabet.NotAccepted);
            if (listed)
            {
                char printed = alphabet.Letters[alphabet.CodeTable[b]];
                char upper = char.ToUpperInvariant((char)b);
                Assert.Equal(upper == 'U' ? 'T' : upper, printed);
            }
        }
    }

    [Fact]
    public void Only_dna4_code_zero_is_invalid()
    {
        Assert.All(Enumerable.Range(0, 4), code => Assert.True(DnaAlphabet.Dna2.IsValidCode(code)));
        Assert.False(DnaAlphabet.Dna4.IsValidCode(0));
        Assert.All(Enumerable.Range(1, 15), code => Assert.True(DnaAlphabet.Dna4.IsValidCode(code)));
        Assert.False(DnaAlphabet.Dna2.IsValidCode(4));
    }

    [Fact]
    public void Wire_errors_report_position_and_detail()
    {
        var ex = Assert.Throws<InvalidDnaException>(() => DnaCodec.ReadWire(DnaAlphabet.Dna4, Convert.FromHexString("0000001012401200")));
        Assert.Equal("22P03", ex.SqlState);
        Assert.Equal("invalid symbol code 0000 at position 4 in binary DNA4 value", ex.Message);
        Assert.NotNull(ex.Detail);

        var padding = Assert.Throws<InvalidDnaException>(() => DnaCodec.ReadWire(DnaAlphabet.Dna2, Convert.FromHexString("0000000619")));
        Assert.Equal("invalid padding in binary DNA2 value", padding.Message);

        var last = Assert.Throws<InvalidDnaException>(() => DnaCodec.ReadWire(DnaAlphabet.Dna4, Convert.FromHexString("0000000c120000")));
        Assert.Equal("22P03", last.SqlState);
    }

    [Fact]
    public void Huge_bit_length_is_cut_short_not_overflowed()
    {
        var ex = Assert.Throws<InvalidDnaException>(() => DnaCodec.ReadWire(DnaAlphabet.Dna2, Convert.FromHexString("7ffffffe00")));
        Assert.Equal("08P01", ex.SqlState);
    }

    [Fact]
    public void Default_value_is_the_empty_dna2_value()
    {
        PackedDna value = default;
        Assert.Same(DnaAlphabet.Dna2, value.Alphabet);
        Assert.True(value.IsEmpty);
        Assert.Equal(0, value.Length);
        Assert.Equal(string.Empty, DnaCodec.Decode(value));
        Assert.Equal(DnaCodec.Encode(DnaAlphabet.Dna2, ""), value);
        Assert.Equal(new byte[4], DnaCodec.WriteWire(value));
    }

    [Fact]
    public void Values_of_different_alphabets_or_lengths_are_not_equal()
    {
        Assert.NotEqual(DnaCodec.Encode(DnaAlphabet.Dna2, ""), DnaCodec.Encode(DnaAlphabet.Dna4, ""));
        Assert.True(DnaCodec.Encode(DnaAlphabet.Dna2, "ACG") != DnaCodec.Encode(DnaAlphabet.Dna2, "ACGA"));
        Assert.True(DnaCodec.Encode(DnaAlphabet.Dna2, "acgu") == DnaCodec.Encode(DnaAlphabet.Dna2, "ACGT"));
    }

    [Fact]
    public void Indexer_returns_codes_and_checks_bounds()
    {
        PackedDna value = DnaCodec.Encode(DnaAlphabet.Dna4, "ANT");
        Assert.Equal([1, 15, 8], Enumerable.Range(0, value.Length).Select(i => value[i]));
        Assert.Throws<ArgumentOutOfRangeException>(() => value[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => value[-1]);
    }

    [Fact]
    public void Read_wire_copies_its_input()
    {
        byte[] wire = Convert.FromHexString("000000081b");
        PackedDna value = DnaCodec.ReadWire(DnaAlphabet.Dna2, wire);
        wire[4] = 0;
        Assert.Equal("ACGT", DnaCodec.Decode(value));
    }

    [Fact]
    public void Read_wire_view_reads_the_same_values_without_a_copy_and_checks_the_same()
    {
        byte[] wire = Convert.FromHexString("000000081b");
        PackedDna view = DnaCodec.ReadWireView(DnaAlphabet.Dna2, wire);
        Assert.Equal(DnaCodec.ReadWire(DnaAlphabet.Dna2, wire), view);
        wire[4] = 0;
        Assert.Equal("AAAA", DnaCodec.Decode(view));

        foreach ((DnaAlphabet alphabet, string hex) in new[]
        {
            (DnaAlphabet.Dna4, "0000001012401200"),
            (DnaAlphabet.Dna2, "0000000619"),
            (DnaAlphabet.Dna2, "7ffffffe00"),
            (DnaAlphabet.Dna2, "000000081b00"),
            (DnaAlphabet.Dna2, "000000"),
        })
        {
            byte[] bad = Convert.FromHexString(hex);
            var copying = Assert.Throws<InvalidDnaException>(() => DnaCodec.ReadWire(alphabet, bad));
            var viewing = Assert.Throws<InvalidDnaException>(() => DnaCodec.ReadWireView(alphabet, bad));
            Assert.Equal((copying.SqlState, copying.Message), (viewing.SqlState, viewing.Message));
        }
    }

    [Fact]
    public void Write_wire_overloads_agree()
    {
        PackedDna value = DnaCodec.Encode(DnaAlphabet.Dna2, "TTGCA");
        byte[] expected = Convert.FromHexString("0000000af900");
        Assert.Equal(expected, DnaCodec.WriteWire(value));

        var buffer = new byte[10];
        Assert.Equal(expected.Length, DnaCodec.WriteWire(value, buffer));
        Assert.Equal(expected, buffer[..expected.Length]);
        Assert.Throws<ArgumentException>(() => DnaCodec.WriteWire(value, new byte[5]));

        var writer = new ArrayBufferWriter<byte>();
        DnaCodec.WriteWire(value, writer);
        DnaCodec.WriteWire(value, writer);
        Assert.Equal(expected.Concat(expected), writer.WrittenSpan.ToArray());
    }
}
