using System.Text;

namespace Kmer.Core.Tests;

/// <summary>Settings validation, query errors and API edges of the n-gram key extractor.</summary>
public sealed class NgramKeyExtractorTests
{
    [Theory]
    [InlineData(4, 0, 8, 16)]
    [InlineData(4, 8, 16, 16)]
    [InlineData(8, 0, 16, 16)]
    [InlineData(8, 1, 17, 32)]
    [InlineData(12, 8, 32, 32)]
    [InlineData(16, 0, 32, 32)]
    [InlineData(16, 8, 40, 64)]
    [InlineData(24, 16, 64, 64)]
    [InlineData(32, 0, 64, 64)]
    public void Settings_report_total_bits_and_key_width(int k, int b, int totalBits, int keyWidth)
    {
        var settings = new KmerSettings(k, b);
        Assert.Equal(k, settings.KmerSize);
        Assert.Equal(b, settings.OccurBitlen);
        Assert.Equal(totalBits, settings.TotalBits);
        Assert.Equal(keyWidth, settings.KeyWidth);
        Assert.Equal(new KmerSettings(k, b), settings);
    }

    [Theory]
    [InlineData(3, 0, "kmerSize")]
    [InlineData(33, 0, "kmerSize")]
    [InlineData(8, -1, "occurBitlen")]
    [InlineData(8, 17, "occurBitlen")]
    [InlineData(29, 8, "occurBitlen")]
    [InlineData(32, 1, "occurBitlen")]
    [InlineData(25, 16, "occurBitlen")]
    public void Settings_outside_the_guc_ranges_are_rejected(int k, int b, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new KmerSettings(k, b));
        Assert.Equal(parameter, ex.ParamName);
    }

    [Fact]
    public void Default_settings_are_rejected_by_the_extractor()
    {
        Assert.Throws<ArgumentException>(() => new NgramKeyExtractor(default));
    }

    [Theory]
    [InlineData(4, "")]
    [InlineData(4, "ACG")]
    [InlineData(8, "acgtacg")]
    [InlineData(32, "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN")]
    // Too short is checked before the characters.
    [InlineData(5, "XYZ")]
    [InlineData(5, "AC G")]
    public void Query_shorter_than_k_is_22023_naming_the_minimum(int k, string query)
    {
        var extractor = new NgramKeyExtractor(new KmerSettings(k, 0));
        var ex = Assert.Throws<InvalidDnaException>(() => extractor.ExtractQuery(query, new List<ulong>()));
        Assert.Equal(InvalidDnaException.InvalidParameterValue, ex.SqlState);
        Assert.Equal("22023", ex.SqlState);
        Assert.Contains($"minimum length is {k}", ex.Message, StringComparison.Ordinal);
        Assert.Equal($"The query has {query.Length} characters; kmersearch.kmer_size = {k} needs at least {k}.", ex.Detail);
        Assert.Null(ex.BadByte);

        var span = Assert.Throws<InvalidDnaException>(() => extractor.ExtractQuery(Encoding.UTF8.GetBytes(query), new ulong[100]));
        Assert.Equal("22023", span.SqlState);
    }

    [Theory]
    [InlineData("ACGTX", 4, "X")]
    [InlineData("acgtacgt ", 8, "\\x20")]
    [InlineData("ACGT\tACGT", 4, "\\x09")]
    [InlineData("ACGT-ACGT", 4, "-")]
    [InlineData("nnnnz", 4, "z")]
    [InlineData("ACGT\0", 4, "\\x00")]
    [InlineData("ACGé", 3, "\\xC3")]
    public void Query_with_a_foreign_byte_is_22P02_naming_it(string query, int offset, string shown)
    {
        var extractor = new NgramKeyExtractor(new KmerSettings(4, 8));
        var ex = Assert.Throws<InvalidDnaException>(() => extractor.ExtractQuery(query, new List<ulong>()));
        Assert.Equal(InvalidDnaException.InvalidTextRepresentation, ex.SqlState);
        Assert.Equal($"invalid character \"{shown}\" in k-mer query", ex.Message);
        Assert.Equal(offset, ex.ByteOffset);
        Assert.Equal(Encoding.UTF8.GetBytes(query)[offset], ex.BadByte);
        Assert.Equal($"The character is byte {offset + 1} of the query.", ex.Detail);
        Assert.Equal("A query may contain only the letters A, C, G, T, U, M, R, W, S, Y, K, V, H, D, B and N, in upper or lower case.", ex.Hint);
    }

    [Fact]
    public void Query_length_counts_utf8_bytes()
    {
        // "ACé" is 4 bytes: long enough for k = 4, so the character check reports it.
        var extractor = new NgramKeyExtractor(new KmerSettings(4, 0));
        var ex = Assert.Throws<InvalidDnaException>(() => extractor.ExtractQuery("ACé", new List<ulong>()));
        Assert.Equal("22P02", ex.SqlState);
        Assert.Equal(2, ex.ByteOffset);
    }

    [Fact]
    public void Every_query_letter_in_either_case_is_accepted()
    {
        var extractor = new NgramKeyExtractor(new KmerSettings(4, 0));
        var keys = new List<ulong>();
        extractor.ExtractQuery("ACGTUMRWSYKVHDBNacgtumrwsykvhdbn", keys);
        Assert.NotEmpty(keys);
    }

    [Fact]
    public void Short_stored_values_have_no_keys()
    {
        var extractor = new NgramKeyExtractor(new KmerSettings(8, 8));
        foreach (DnaAlphabet alphabet in new[] { DnaAlphabet.Dna2, DnaAlphabet.Dna4 })
        {
            Assert.Equal(0, extractor.MaxKeys(alphabet, 7));
            Assert.Equal(0, extractor.Extract(DnaCodec.Encode(alphabet, "ACGTACG"), Span<ulong>.Empty));
            Assert.Equal(0, extractor.Extract(DnaCodec.Encode(alphabet, ""), new List<ulong>()));
        }

        Assert.Equal(0, extractor.Extract(default, Span<ulong>.Empty));
    }

    [Fact]
    public void Max_keys_is_one_per_dna2_window_and_three_per_dna4_window()
    {
        var extractor = new NgramKeyExtractor(new KmerSettings(8, 8));
        Assert.Equal(143, extractor.MaxKeys(DnaAlphabet.Dna2, 150));
        Assert.Equal(429, extractor.MaxKeys(DnaAlphabet.Dna4, 150));
        Assert.Equal(1, extractor.MaxKeys(DnaAlphabet.Dna2, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => extractor.MaxKeys(DnaAlphabet.Dna2, -1));
    }

    [Fact]
    public void Span_destination_must_hold_max_keys()
    {
        var extractor = new NgramKeyExtractor(new KmerSettings(4, 8));
        PackedDna dna2 = DnaCodec.Encode(DnaAlphabet.Dna2, "ACGTACGTAC");
        Assert.Throws<ArgumentException>(() => extractor.Extract(dna2, new ulong[6]));
        Assert.Equal(7, extractor.Extract(dna2, new ulong[7]));

        PackedDna dna4 = DnaCodec.Encode(DnaAlphabet.Dna4, "ACGTACGTAC");
        Assert.Throws<ArgumentException>(() => extractor.Extract(dna4, new ulong[20]));
        Assert.Equal(7, extractor.Extract(dna4, new ulong[21]));

        // The query errors come before the destination check.
        Assert.Throws<InvalidDnaException>(() => extractor.ExtractQuery("ACG"u8, Span<ulong>.Empty));
        Assert.Throws<ArgumentException>(() => extractor.ExtractQuery("ACGTA"u8, new ulong[5]));
    }

    [Fact]
    public void Sink_receives_the_keys_in_order_without_a_list()
    {
        var extractor = new NgramKeyExtractor(new KmerSettings(4, 8));
        var sink = new SumSink();
        Assert.Equal(7, extractor.Extract(DnaCodec.Encode(DnaAlphabet.Dna2, "ACGTACGTAC"), ref sink));
        Assert.Equal(7, sink.Count);
        Assert.Equal(6912UL + 27648 + 45312 + 50688 + 6913 + 27649 + 45313, sink.Sum);
        Assert.Equal(45313UL, sink.Last);

        var query = new SumSink();
        Assert.Equal(4, extractor.ExtractQuery("ACGRT"u8, ref query));
        Assert.Equal(6144UL + 6656 + 25344 + 27392, query.Sum);
    }

    [Fact]
    public void Reuse_for_many_sequences_does_not_carry_counts_over()
    {
        var extractor = new NgramKeyExtractor(new KmerSettings(4, 1));
        PackedDna polyA = DnaCodec.Encode(DnaAlphabet.Dna2, "AAAAAAA");
        for (int i = 0; i < 1000; i++)
        {
            var keys = new List<ulong>();
            extractor.Extract(polyA, keys);
            Assert.Equal([0UL, 1UL], keys);
        }
    }

    [Fact]
    public void Long_sequences_grow_the_occurrence_table()
    {
        // 200,000 random bases at k = 12 have far more distinct k-mers than
        // the presized table holds; every key of the first pass is distinct
        // and a second copy of the sequence gives the occurrence-1 keys.
        var random = new Random(5);
        var text = new StringBuilder();
        for (int i = 0; i < 200_000; i++)
        {
            text.Append("ACGT"[random.Next(4)]);
        }

        string once = text.ToString();
        var extractor = new NgramKeyExtractor(new KmerSettings(12, 2));
        var first = new List<ulong>();
        extractor.Extract(DnaCodec.Encode(DnaAlphabet.Dna2, once), first);
        Assert.Equal(NaiveNgramKeys.Keys(once, 12, 2, degenerate: false), first);

        var twice = new List<ulong>();
        extractor.Extract(DnaCodec.Encode(DnaAlphabet.Dna4, once + "N" + once), twice);
        Assert.Equal(NaiveNgramKeys.Keys(once + "N" + once, 12, 2, degenerate: true), twice);

        // A short sequence after the long ones still starts from empty counts.
        var small = new List<ulong>();
        extractor.Extract(DnaCodec.Encode(DnaAlphabet.Dna2, once[..20]), small);
        Assert.Equal(NaiveNgramKeys.Keys(once[..20], 12, 2, degenerate: false), small);
    }

    private struct SumSink : INgramKeySink
    {
        public int Count;
        public ulong Sum;
        public ulong Last;

        public void Add(ulong key)
        {
            Count++;
            Sum += key;
            Last = key;
        }
    }
}
