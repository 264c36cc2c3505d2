using System.Text;

namespace Kmer.Core.Tests;

/// <summary>
/// The extractor's occurrence tables: direct-indexed (k ≤ 8), compact
/// (k ≤ 16 and a sequence the presized table holds) and general (longer k or
/// sequences), each against <see cref="NaiveNgramKeys"/> or hand-derived keys.
/// </summary>
public sealed class NgramKeyTableTests
{
    // One k per table: direct, compact, general.
    public static TheoryData<int> TableKmerSizes => new() { 4, 8, 9, 12, 16, 17, 24, 32 };

    [Theory]
    [MemberData(nameof(TableKmerSizes))]
    public void Repeats_beyond_two_to_the_b_yield_no_more_keys(int k)
    {
        // A run of 40 As has 41 - k windows, all the k-mer 0: occurrences
        // 1..2^b give keys 0..2^b - 1, the rest none.
        string polyA = new('A', 40);
        foreach (int b in new[] { 0, 1, 2, 3 })
        {
            if (2 * k + b > KmerSettings.MaxTotalBits)
            {
                continue;
            }

            var extractor = new NgramKeyExtractor(new KmerSettings(k, b));
            int windows = 41 - k;
            int kept = Math.Min(windows, 1 << b);
            var expected = Enumerable.Range(0, kept).Select(c => (ulong)c).ToList();

            foreach (DnaAlphabet alphabet in new[] { DnaAlphabet.Dna2, DnaAlphabet.Dna4 })
            {
                var keys = new List<ulong>();
                Assert.Equal(kept, extractor.Extract(DnaCodec.Encode(alphabet, polyA), keys));
                Assert.Equal(expected, keys);

                var span = new ulong[extractor.MaxKeys(alphabet, polyA.Length)];
                Assert.Equal(kept, extractor.Extract(DnaCodec.Encode(alphabet, polyA), span));
                Assert.Equal(expected, span[..kept]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TableKmerSizes))]
    public void B_zero_keys_are_the_distinct_kmers_in_first_seen_order(int k)
    {
        // "ACGT" repeated: the windows cycle through four k-mers, so b = 0
        // gives exactly the first four windows' values.
        string text = string.Concat(Enumerable.Repeat("ACGT", 20));
        var extractor = new NgramKeyExtractor(new KmerSettings(k, 0));
        var keys = new List<ulong>();
        extractor.Extract(DnaCodec.Encode(DnaAlphabet.Dna2, text), keys);

        var expected = new List<ulong>();
        for (int start = 0; start < 4; start++)
        {
            ulong value = 0;
            for (int i = start; i < start + k; i++)
            {
                value = (value << 2) | (uint)(i % 4); // A=0 C=1 G=2 T=3 at i % 4
            }

            expected.Add(value);
        }

        Assert.Equal(expected, keys);
    }

    [Theory]
    [InlineData(4, 16)]
    [InlineData(8, 16)]
    [InlineData(8, 0)]
    [InlineData(12, 16)]
    [InlineData(16, 2)]
    [InlineData(20, 16)]
    public void Many_sequences_never_see_each_others_counts(int k, int b)
    {
        // More sequences than one round of the packed tables' generations
        // (2^32 / 2^(b + 2): 16,384 at b = 16), alternating two texts that
        // share k-mers, so a stale entry read as current would change a key.
        var random = new Random(k * 100 + b);
        string[] texts = [RandomBases(random, 60) + "AAAAAAAAAAAAAAAAAAAAAAAA", RandomBases(random, 30) + "AAAAAAAAAAAAAAAAAAAAAAAA"];
        var expected = texts.Select(t => NaiveNgramKeys.Keys(t, k, b, degenerate: false).ToArray()).ToArray();
        PackedDna[] values = texts.Select(t => DnaCodec.Encode(DnaAlphabet.Dna2, t)).ToArray();
        var extractor = new NgramKeyExtractor(new KmerSettings(k, b));
        var buffer = new ulong[100];
        for (int i = 0; i < 40_000; i++)
        {
            int count = extractor.Extract(values[i & 1], buffer);
            if (!buffer.AsSpan(0, count).SequenceEqual(expected[i & 1]))
            {
                Assert.Fail($"sequence {i}: keys differ from the reference");
            }
        }
    }

    [Theory]
    [InlineData(12, 32_768 + 11)]  // 32,768 windows: the largest compact sequence
    [InlineData(12, 32_769 + 11)]  // one more window: the general table, grown while filling
    [InlineData(16, 40_000)]
    [InlineData(8, 100_000)]       // direct: any length
    public void Sequences_at_and_past_the_presized_table_agree_with_the_reference(int k, int length)
    {
        // Half random, half a copy of the first half, so the second half
        // repeats the first half's k-mers.
        var random = new Random(length);
        string half = RandomBases(random, length / 2);
        string text = half + half + "ACG"[..(length % 2)];
        var extractor = new NgramKeyExtractor(new KmerSettings(k, 1));

        var expected = NaiveNgramKeys.Keys(text, k, 1, degenerate: false);
        var keys = new ulong[extractor.MaxKeys(DnaAlphabet.Dna2, text.Length)];
        int count = extractor.Extract(DnaCodec.Encode(DnaAlphabet.Dna2, text), keys);
        Assert.Equal(expected, keys[..count]);

        // A short sequence afterwards starts from empty counts.
        var small = new List<ulong>();
        extractor.Extract(DnaCodec.Encode(DnaAlphabet.Dna2, text[..40]), small);
        Assert.Equal(NaiveNgramKeys.Keys(text[..40], k, 1, degenerate: false), small);
    }

    [Fact]
    public void A_sink_keeps_the_keys_it_took_before_an_exception()
    {
        var extractor = new NgramKeyExtractor(new KmerSettings(8, 2));
        var sink = new ThrowingSink { Limit = 5 };
        Assert.Throws<InvalidOperationException>(() => extractor.Extract(DnaCodec.Encode(DnaAlphabet.Dna2, "ACGTTGCAAGCTTCGAATGCCGTAAGGCTA"), ref sink));
        Assert.Equal(5, sink.Count);

        var query = new ThrowingSink { Limit = 2 };
        Assert.Throws<InvalidOperationException>(() => extractor.ExtractQuery("ACGTACGTACGT"u8, ref query));
        Assert.Equal(2, query.Count);
    }

    private static string RandomBases(Random random, int length)
    {
        var text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            text.Append("ACGT"[random.Next(4)]);
        }

        return text.ToString();
    }

    private struct ThrowingSink : INgramKeySink
    {
        public int Limit;
        public int Count;

        public void Add(ulong key)
        {
            if (Count == Limit)
            {
                throw new InvalidOperationException("full");
            }

            Count++;
        }
    }
}
