using System.Text;

namespace Kmer.Core.Tests;

/// <summary>The shared vectors in tests/vectors, one test case per row.</summary>
public sealed class VectorTests
{
    public static TheoryData<string, string, string, int, int, string> ValidVectors()
    {
        var data = new TheoryData<string, string, string, int, int, string>();
        foreach ((string file, string type) in new[] { ("dna2_valid.tsv", "DNA2"), ("dna4_valid.tsv", "DNA4") })
        {
            foreach (var row in VectorFiles.Read(file))
            {
                data.Add(type, row["input"], row["output"], int.Parse(row["bit_length"]), int.Parse(row["nuc_length"]), row["wire_hex"]);
            }
        }

        return data;
    }

    public static TheoryData<string, string, string, int, string> InvalidTextVectors()
    {
        var data = new TheoryData<string, string, string, int, string>();
        foreach (var row in VectorFiles.Read("invalid_text.tsv"))
        {
            data.Add(row["type"], row["input"], row["sqlstate"], int.Parse(row["bad_byte_offset"]), row["bad_byte_hex"]);
        }

        return data;
    }

    public static TheoryData<string, string, string, string> InvalidWireVectors()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var row in VectorFiles.Read("invalid_wire.tsv"))
        {
            data.Add(row["type"], row["wire_hex"], row["sqlstate"], row["reason"]);
        }

        return data;
    }

    [Theory]
    [InlineData("dna2_valid.tsv", "input,output,bit_length,nuc_length,wire_hex")]
    [InlineData("dna4_valid.tsv", "input,output,bit_length,nuc_length,wire_hex")]
    [InlineData("invalid_text.tsv", "type,input,sqlstate,bad_byte_offset,bad_byte_hex")]
    [InlineData("invalid_wire.tsv", "type,wire_hex,sqlstate,reason")]
    [InlineData("ngram_keys.tsv", "source,k,b,input,keys")]
    public void Vector_file_exists_has_expected_columns_and_rows(string file, string columns)
    {
        Assert.True(File.Exists(Path.Combine(VectorFiles.Directory, file)), $"{file} is missing");
        var rows = VectorFiles.Read(file);
        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.Equal(columns.Split(',').Order(), row.Keys.Order()));
    }

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void Valid_text_encodes_prints_and_round_trips_through_the_wire(
        string type, string input, string output, int bitLength, int nucLength, string wireHex)
    {
        DnaAlphabet alphabet = VectorFiles.Alphabet(type);

        PackedDna packed = DnaCodec.Encode(alphabet, input);
        Assert.Same(alphabet, packed.Alphabet);
        Assert.Equal(bitLength, packed.BitLength);
        Assert.Equal(nucLength, packed.Length);
        Assert.Equal((bitLength + 7) / 8, packed.Data.Length);
        Assert.Equal(output, DnaCodec.Decode(packed));
        Assert.Equal(output, packed.ToString());
        for (int i = 0; i < packed.Length; i++)
        {
            Assert.Equal(output[i], alphabet.Letters[packed[i]]);
        }

        Assert.Equal(packed, DnaCodec.Encode(alphabet, Encoding.UTF8.GetBytes(input)));

        byte[] wire = DnaCodec.WriteWire(packed);
        Assert.Equal(wireHex.ToLowerInvariant(), Convert.ToHexStringLower(wire));
        Assert.Equal(wire.Length, DnaCodec.GetWireLength(packed));

        PackedDna back = DnaCodec.ReadWire(alphabet, Convert.FromHexString(wireHex));
        Assert.Equal(packed, back);
        Assert.Equal(packed.Data.ToArray(), back.Data.ToArray());
        Assert.Equal(output, DnaCodec.Decode(back));
    }

    [Theory]
    [MemberData(nameof(InvalidTextVectors))]
    public void Invalid_text_is_rejected_at_the_first_bad_byte(
        string type, string input, string sqlState, int badByteOffset, string badByteHex)
    {
        DnaAlphabet alphabet = VectorFiles.Alphabet(type);
        byte badByte = Convert.FromHexString(badByteHex).Single();

        foreach (Action encode in new Action[]
        {
            () => DnaCodec.Encode(alphabet, input),
            () => DnaCodec.Encode(alphabet, Encoding.UTF8.GetBytes(input)),
        })
        {
            var ex = Assert.Throws<InvalidDnaException>(encode);
            Assert.Equal(sqlState, ex.SqlState);
            Assert.Equal(badByte, ex.BadByte);
            Assert.Equal(badByteOffset, ex.ByteOffset);
            Assert.Equal($"The character is byte {badByteOffset + 1} of the input.", ex.Detail);
            Assert.Contains(alphabet.Name, ex.Message, StringComparison.Ordinal);
            Assert.NotNull(ex.Hint);
        }
    }

    [Theory]
    [MemberData(nameof(InvalidWireVectors))]
    public void Invalid_wire_is_rejected(string type, string wireHex, string sqlState, string reason)
    {
        DnaAlphabet alphabet = VectorFiles.Alphabet(type);
        var ex = Assert.Throws<InvalidDnaException>(() => DnaCodec.ReadWire(alphabet, Convert.FromHexString(wireHex)));
        Assert.True(sqlState == ex.SqlState, $"{reason}: expected {sqlState}, got {ex.SqlState} ({ex.Message})");
        Assert.Null(ex.BadByte);
        Assert.Null(ex.ByteOffset);
    }
}
