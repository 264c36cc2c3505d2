using System.Text;

namespace Kmer.Core.Tests;

/// <summary>The optimised extractor against <see cref="NaiveNgramKeys"/> on random sequences and settings.</summary>
public sealed class NgramKeyPropertyTests
{
    private const string Ambiguous = "MRWSYKVHDB";

    [Theory]
    [InlineData(20240917, 1500)]
    [InlineData(3, 1500)]
    public void Extractor_agrees_with_the_naive_reference(int seed, int iterations)
    {
        var random = new Random(seed);
        var extractors = new Dictionary<KmerSettings, NgramKeyExtractor>();
        var actual = new List<ulong>();
        var buffer = new ulong[3 * 400];

        for (int iteration = 0; iteration < iterations; iteration++)
        {
            int k = random.Next(KmerSettings.MinKmerSize, KmerSettings.MaxKmerSize + 1);
            int b = random.Next(0, Math.Min(KmerSettings.MaxOccurBitlen, 64 - 2 * k) + 1);
            if (random.Next(3) == 0)
            {
                b = Math.Min(b, 2); // small caps make repeats matter
            }

            var settings = new KmerSettings(k, b);
            if (!extractors.TryGetValue(settings, out NgramKeyExtractor? extractor))
            {
                extractor = new NgramKeyExtractor(settings);
                extractors.Add(settings, extractor);
            }

            // DNA2: random or periodic (many repeats), any case, U for T.
            string standard = RandomStandard(random, random.Next(0, 400));
            actual.Clear();
            extractor.Extract(DnaCodec.Encode(DnaAlphabet.Dna2, standard), actual);
            Assert.Equal(NaiveNgramKeys.Keys(standard, k, b, degenerate: false), actual);

            // DNA4: sparse or dense ambiguity codes and N.
            string degenerate = RandomDegenerate(random, random.Next(0, 400), k);
            PackedDna dna4 = DnaCodec.Encode(DnaAlphabet.Dna4, degenerate);
            List<ulong> expected = NaiveNgramKeys.Keys(degenerate, k, b, degenerate: true);
            actual.Clear();
            extractor.Extract(dna4, actual);
            Assert.Equal(expected, actual);
            int count = extractor.Extract(dna4, buffer);
            Assert.Equal(expected, buffer[..count]);

            // The same text as a query (when long enough) gives the same keys.
            if (degenerate.Length >= k)
            {
                actual.Clear();
                extractor.ExtractQuery(degenerate, actual);
                Assert.Equal(expected, actual);
                count = extractor.ExtractQuery(Encoding.ASCII.GetBytes(degenerate), buffer);
                Assert.Equal(expected, buffer[..count]);
            }
        }
    }

    [Theory]
    // DNA4 values of A, C, G and T only take DNA2's path; one other code
    // anywhere (either nibble of a byte, the odd last base) must not.
    [InlineData("ACGTTGCAACGTA")]
    [InlineData("ACGTTGCAACGTAC")]
    [InlineData("NCGTTGCAACGTA")]
    [InlineData("ANGTTGCAACGTA")]
    [InlineData("ACGTTGCAACGTN")]
    [InlineData("ACGTTGCAACGRAC")]
    [InlineData("ACGTTGCAACGTAM")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Dna4_values_with_or_without_other_codes_agree_with_the_naive_reference(string text)
    {
        foreach ((int k, int b) in new[] { (4, 8), (5, 2), (8, 8), (12, 0) })
        {
            var actual = new List<ulong>();
            new NgramKeyExtractor(new KmerSettings(k, b)).Extract(DnaCodec.Encode(DnaAlphabet.Dna4, text), actual);
            Assert.Equal(NaiveNgramKeys.Keys(text, k, b, degenerate: true), actual);
        }
    }

    private static string RandomStandard(Random random, int length)
    {
        var text = new StringBuilder(length);
        int period = random.Next(3) == 0 ? random.Next(1, 12) : 0;
        for (int i = 0; i < length; i++)
        {
            char ch = period > 0 && i >= period ? char.ToUpperInvariant(text[i - period]) : "ACGT"[random.Next(4)];
            text.Append(Dress(random, ch));
        }

        return text.ToString();
    }

    private static string RandomDegenerate(Random random, int length, int k)
    {
        double ambiguous = random.Next(3) switch
        {
            0 => 0.0,
            1 => 0.8 / k,
            _ => 0.2,
        };
        double n = random.Next(2) == 0 ? 0.0 : 0.01;
        int period = random.Next(4) == 0 ? random.Next(1, 12) : 0;
        var text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            char ch;
            if (period > 0 && i >= period)
            {
                ch = char.ToUpperInvariant(text[i - period]);
            }
            else
            {
                double x = random.NextDouble();
                ch = x < n ? 'N' : x < n + ambiguous ? Ambiguous[random.Next(Ambiguous.Length)] : "ACGT"[random.Next(4)];
            }

            text.Append(Dress(random, ch));
        }

        return text.ToString();
    }

    private static char Dress(Random random, char ch)
    {
        if (ch == 'T' && random.Next(4) == 0)
        {
            ch = 'U';
        }

        return random.Next(2) == 0 ? char.ToLowerInvariant(ch) : ch;
    }
}
