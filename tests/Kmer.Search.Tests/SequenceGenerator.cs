using System.Text;

namespace Kmer.Search.Tests;

/// <summary>
/// Seeded random rows and queries for the search property test: random
/// sequences of 0..200 bases sharing a pool of motifs (so that queries have
/// hits), repeats (so occurrence indexes matter) and, for DNA4, the degenerate
/// cases — ambiguity codes, N runs, all-N values — plus NULLs and values
/// shorter than k.
/// </summary>
internal sealed class SequenceGenerator
{
    private const string Bases = "ACGT";
    private const string AmbiguityCodes = "MRWSYKVHDB";

    private readonly Random _random;
    private readonly string[] _motifs;

    public SequenceGenerator(int seed)
    {
        _random = new Random(seed);
        _motifs = new string[16];
        for (int i = 0; i < _motifs.Length; i++)
        {
            _motifs[i] = RandomBases(_random.Next(24, 61));
        }
    }

    public List<SequenceRow> Rows(int count)
    {
        var rows = new List<SequenceRow>(count);
        for (int id = 1; id <= count; id++)
        {
            rows.Add(SequenceRow.Create(id, Dna2Text(), Dna4Text()));
        }

        return rows;
    }

    /// <summary>
    /// Queries of at least <paramref name="k"/> characters: mutated substrings of
    /// stored values and motifs, random sequences, ones with ambiguity codes or
    /// N, ones that yield no keys at all; some in lower case or with U.
    /// </summary>
    public List<string> Queries(int k, int count, IReadOnlyList<SequenceRow> rows)
    {
        var queries = new List<string>(count);
        while (queries.Count < count)
        {
            int kind = _random.Next(100);
            string query = kind switch
            {
                < 35 => Mutate(StoredSubstring(rows, k), _random.Next(4)),
                < 50 => Mutate(MotifSubstring(k), _random.Next(3)),
                < 62 => RandomBases(_random.Next(k, k + 31)),
                < 80 => WithAmbiguity(StoredSubstring(rows, k)),
                < 87 => new string('N', _random.Next(k, k + 6)),
                < 92 => NoKeyDegenerate(k),
                _ => WithN(StoredSubstring(rows, k)),
            };
            queries.Add(Cased(query));
        }

        return queries;
    }

    private string? Dna2Text()
    {
        int kind = _random.Next(100);
        if (kind < 3)
        {
            return null;
        }

        string text = kind < 10 ? RandomBases(_random.Next(0, 12)) : WithMotifs(_random.Next(0, 201));
        return Cased(text);
    }

    private string? Dna4Text()
    {
        int kind = _random.Next(100);
        string text;
        if (kind < 3)
        {
            return null;
        }
        else if (kind < 8)
        {
            // Shorter than most k, degenerate letters included.
            text = Sprinkle(RandomBases(_random.Next(0, 12)), AmbiguityCodes + "N", 0.2);
        }
        else if (kind < 12)
        {
            text = new string('N', _random.Next(1, 201));
        }
        else if (kind < 20)
        {
            text = WithNRuns(WithMotifs(_random.Next(0, 201)));
        }
        else if (kind < 27)
        {
            // Dense ambiguity codes: most windows hold two or more and are skipped.
            text = Sprinkle(WithMotifs(_random.Next(0, 201)), AmbiguityCodes, 0.3);
        }
        else
        {
            text = Sprinkle(WithMotifs(_random.Next(0, 201)), AmbiguityCodes, 0.03);
            text = Sprinkle(text, "N", 0.01);
        }

        return Cased(text);
    }

    private string RandomBases(int length)
    {
        var builder = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            builder.Append(Bases[_random.Next(4)]);
        }

        return builder.ToString();
    }

    /// <summary>Random bases of the given length overlaid with motifs or a repeat.</summary>
    private string WithMotifs(int length)
    {
        char[] text = RandomBases(length).ToCharArray();
        int pieces = _random.Next(0, 4);
        for (int p = 0; p < pieces && length > 0; p++)
        {
            string piece = _random.Next(5) == 0
                ? Repeat(_random.Next(1, 7), _random.Next(10, 80))
                : Mutate(_motifs[_random.Next(_motifs.Length)], _random.Next(3));
            int start = _random.Next(-piece.Length / 2, length);
            for (int i = 0; i < piece.Length; i++)
            {
                if (start + i >= 0 && start + i < length)
                {
                    text[start + i] = piece[i];
                }
            }
        }

        return new string(text);
    }

    private string Repeat(int unitLength, int length)
    {
        string unit = RandomBases(unitLength);
        var builder = new StringBuilder(length);
        while (builder.Length < length)
        {
            builder.Append(unit[builder.Length % unitLength]);
        }

        return builder.ToString();
    }

    private string StoredSubstring(IReadOnlyList<SequenceRow> rows, int k)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            SequenceRow row = rows[_random.Next(rows.Count)];
            string? text = _random.Next(2) == 0 ? row.Dna2Text : row.Dna4Text;
            if (text is null || text.Length < k)
            {
                continue;
            }

            int length = _random.Next(k, Math.Min(text.Length, k + 40) + 1);
            return text.Substring(_random.Next(text.Length - length + 1), length).ToUpperInvariant();
        }

        return RandomBases(k + _random.Next(20));
    }

    private string MotifSubstring(int k)
    {
        string motif = _motifs[_random.Next(_motifs.Length)];
        if (motif.Length < k)
        {
            return motif + RandomBases(k - motif.Length + _random.Next(5));
        }

        int length = _random.Next(k, motif.Length + 1);
        return motif.Substring(_random.Next(motif.Length - length + 1), length);
    }

    private string Mutate(string text, int mutations)
    {
        char[] chars = text.ToCharArray();
        for (int m = 0; m < mutations && chars.Length > 0; m++)
        {
            chars[_random.Next(chars.Length)] = Bases[_random.Next(4)];
        }

        return new string(chars);
    }

    private string WithAmbiguity(string text)
    {
        char[] chars = text.ToCharArray();
        int codes = _random.Next(1, 4);
        for (int c = 0; c < codes; c++)
        {
            chars[_random.Next(chars.Length)] = AmbiguityCodes[_random.Next(AmbiguityCodes.Length)];
        }

        return new string(chars);
    }

    private string WithN(string text)
    {
        char[] chars = text.ToCharArray();
        chars[_random.Next(chars.Length)] = 'N';
        return new string(chars);
    }

    private string WithNRuns(string text)
    {
        char[] chars = text.ToCharArray();
        int runs = _random.Next(1, 4);
        for (int r = 0; r < runs && chars.Length > 0; r++)
        {
            int start = _random.Next(chars.Length);
            int length = _random.Next(1, 30);
            for (int i = start; i < Math.Min(chars.Length, start + length); i++)
            {
                chars[i] = 'N';
            }
        }

        return new string(chars);
    }

    /// <summary>At least k characters whose every window holds two ambiguity codes: no keys.</summary>
    private string NoKeyDegenerate(int k)
    {
        var builder = new StringBuilder();
        int length = _random.Next(k, k + 10);
        while (builder.Length < length)
        {
            builder.Append(AmbiguityCodes[_random.Next(AmbiguityCodes.Length)]);
        }

        return builder.ToString();
    }

    private string Sprinkle(string text, string letters, double rate)
    {
        char[] chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (_random.NextDouble() < rate)
            {
                chars[i] = letters[_random.Next(letters.Length)];
            }
        }

        return new string(chars);
    }

    /// <summary>Upper case mostly; sometimes all lower case, mixed case, or U for T.</summary>
    private string Cased(string text)
    {
        int kind = _random.Next(20);
        if (kind < 2)
        {
            return text.ToLowerInvariant();
        }

        if (kind < 4)
        {
            var builder = new StringBuilder(text.Length);
            foreach (char ch in text)
            {
                builder.Append(_random.Next(2) == 0 ? char.ToLowerInvariant(ch) : ch);
            }

            return builder.ToString();
        }

        return kind < 5 ? text.Replace('T', 'U') : text;
    }
}
