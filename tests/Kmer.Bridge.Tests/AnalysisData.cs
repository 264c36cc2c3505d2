using System.IO.Compression;
using System.Text;

namespace Kmer.Bridge.Tests;

/// <summary>
/// Test sequences for the high-frequency analysis: random DNA2 and DNA4
/// (with degenerate codes), and reads cut from the lambda phage genome
/// (bowtie2's example, when installed; else a random genome of the same
/// length), so overlapping reads share long k-mers. Deterministic per seed.
/// </summary>
internal static class AnalysisData
{
    /// <summary>bowtie2's example reference, used when present.</summary>
    public const string LambdaGenomePath = "/usr/share/doc/bowtie2/examples/reference/lambda_virus.fa.gz";

    private const string Dna4Degenerate = "MRWSYKVHDBN";

    private static readonly Lazy<string> Lambda = new(LoadLambda);

    /// <summary>The genome reads are cut from (48,502 bases for lambda).</summary>
    public static string Genome => Lambda.Value;

    /// <summary><paramref name="count"/> random values over ACGT, lengths <paramref name="minLength"/> to <paramref name="maxLength"/>.</summary>
    public static List<string?> RandomDna2(int seed, int count, int minLength, int maxLength)
    {
        var random = new Random(seed);
        var values = new List<string?>(count);
        for (int i = 0; i < count; i++)
        {
            values.Add(RandomBases(random, random.Next(minLength, maxLength + 1), degenerateRate: 0));
        }

        return values;
    }

    /// <summary>Random DNA4 values: ACGT with about <paramref name="degenerateRate"/> of the positions a degenerate code (N included).</summary>
    public static List<string?> RandomDna4(int seed, int count, int minLength, int maxLength, double degenerateRate)
    {
        var random = new Random(seed);
        var values = new List<string?>(count);
        for (int i = 0; i < count; i++)
        {
            values.Add(RandomBases(random, random.Next(minLength, maxLength + 1), degenerateRate));
        }

        return values;
    }

    /// <summary>Reads of <paramref name="minLength"/> to <paramref name="maxLength"/> bases at random positions of <see cref="Genome"/>, with degenerate codes at <paramref name="degenerateRate"/>.</summary>
    public static List<string?> Reads(int seed, int count, int minLength, int maxLength, double degenerateRate = 0)
    {
        string genome = Genome;
        var random = new Random(seed);
        var values = new List<string?>(count);
        var read = new StringBuilder(maxLength);
        for (int i = 0; i < count; i++)
        {
            int length = random.Next(minLength, maxLength + 1);
            int start = random.Next(0, genome.Length - length);
            read.Clear().Append(genome, start, length);
            if (degenerateRate > 0)
            {
                for (int p = 0; p < read.Length; p++)
                {
                    if (random.NextDouble() < degenerateRate)
                    {
                        read[p] = Dna4Degenerate[random.Next(Dna4Degenerate.Length)];
                    }
                }
            }

            values.Add(read.ToString());
        }

        return values;
    }

    /// <summary>
    /// <paramref name="values"/> with the awkward cases mixed in at fixed
    /// places: NULLs, empty values and values shorter than <paramref name="k"/>.
    /// </summary>
    public static List<string?> WithEdgeCases(List<string?> values, int k, int seed)
    {
        var random = new Random(seed);
        var result = new List<string?>(values);
        for (int i = 0; i < Math.Max(3, values.Count / 50); i++)
        {
            result.Insert(random.Next(result.Count + 1), null);
            result.Insert(random.Next(result.Count + 1), RandomBases(random, random.Next(1, k), 0));
        }

        result.Insert(random.Next(result.Count + 1), "");
        result.Insert(random.Next(result.Count + 1), RandomBases(random, k, 0));
        return result;
    }

    private static string RandomBases(Random random, int length, double degenerateRate)
    {
        return string.Create(length, (random, degenerateRate), static (chars, state) =>
        {
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = state.degenerateRate > 0 && state.random.NextDouble() < state.degenerateRate
                    ? Dna4Degenerate[state.random.Next(Dna4Degenerate.Length)]
                    : "ACGT"[state.random.Next(4)];
            }
        });
    }

    private static string LoadLambda()
    {
        if (!File.Exists(LambdaGenomePath))
        {
            return RandomBases(new Random(48502), 48502, 0);
        }

        using var file = File.OpenRead(LambdaGenomePath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.ASCII);
        var genome = new StringBuilder(50_000);
        while (reader.ReadLine() is string line)
        {
            if (!line.StartsWith('>'))
            {
                genome.Append(line.Trim().ToUpperInvariant());
            }
        }

        return genome.ToString();
    }
}
