using System.Globalization;
using System.Text;

namespace Kmer.Core.Tests;

/// <summary>The n-gram key vectors in tests/vectors/ngram_keys.tsv, one test case per row.</summary>
public sealed class NgramKeyVectorTests
{
    private const string FileName = "ngram_keys.tsv";

    public static TheoryData<string, int, int, string, string> KeyVectors()
    {
        var data = new TheoryData<string, int, int, string, string>();
        foreach (var row in VectorFiles.Read(FileName))
        {
            data.Add(row["source"], int.Parse(row["k"], CultureInfo.InvariantCulture), int.Parse(row["b"], CultureInfo.InvariantCulture), row["input"], row["keys"]);
        }

        return data;
    }

    [Fact]
    public void Vector_file_covers_every_source_and_the_key_widths()
    {
        var rows = VectorFiles.Read(FileName);
        Assert.True(rows.Count >= 300, $"{FileName} has only {rows.Count} rows");
        Assert.Equal(["dna2", "dna4", "query"], rows.Select(r => r["source"]).Distinct().Order());

        var widths = rows
            .Select(r => new KmerSettings(int.Parse(r["k"], CultureInfo.InvariantCulture), int.Parse(r["b"], CultureInfo.InvariantCulture)).KeyWidth)
            .Distinct()
            .Order();
        Assert.Equal([16, 32, 64], widths);
        Assert.Contains(rows, r => r["keys"].Length == 0);
        Assert.Contains(rows, r => r["keys"].Split(' ').Length > 100);
    }

    [Theory]
    [MemberData(nameof(KeyVectors))]
    public void Keys_match_the_reference(string source, int k, int b, string input, string keys)
    {
        ulong[] expected = keys.Length == 0
            ? []
            : keys.Split(' ').Select(key => ulong.Parse(key, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        var extractor = new NgramKeyExtractor(new KmerSettings(k, b));
        var list = new List<ulong> { 42 };

        if (source == "query")
        {
            Assert.Equal(expected.Length, extractor.ExtractQuery(input, list));
            Assert.Equal(expected, list.Skip(1));

            byte[] utf8 = Encoding.UTF8.GetBytes(input);
            var span = new ulong[extractor.MaxKeys(DnaAlphabet.Dna4, utf8.Length)];
            int written = extractor.ExtractQuery(utf8, span);
            Assert.Equal(expected, span[..written]);
            return;
        }

        DnaAlphabet alphabet = VectorFiles.Alphabet(source);
        PackedDna value = DnaCodec.Encode(alphabet, input);
        Assert.Equal(expected.Length, extractor.Extract(value, list));
        Assert.Equal(expected, list.Skip(1));

        var destination = new ulong[extractor.MaxKeys(alphabet, value.Length)];
        int count = extractor.Extract(value, destination);
        Assert.Equal(expected, destination[..count]);
        Assert.All(expected, key => Assert.True(b + 2 * k == 64 || key >> (2 * k + b) == 0, "key wider than 2k + b bits"));
    }
}
