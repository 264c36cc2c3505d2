namespace Kmer.Core.Tests;

/// <summary>
/// A slow, string-based n-gram key reference, written from the spec
/// independently of <see cref="NgramKeyExtractor"/>: it slices windows as
/// strings, expands them by string replacement and counts k-mers by their text.
/// </summary>
internal static class NaiveNgramKeys
{
    private static readonly Dictionary<char, string> Bases = new()
    {
        ['A'] = "A", ['C'] = "C", ['G'] = "G", ['T'] = "T",
        ['M'] = "AC", ['R'] = "AG", ['W'] = "AT", ['S'] = "CG", ['Y'] = "CT", ['K'] = "GT",
        ['V'] = "ACG", ['H'] = "ACT", ['D'] = "AGT", ['B'] = "CGT",
    };

    public static List<ulong> Keys(string text, int k, int b, bool degenerate)
    {
        string sequence = text.ToUpperInvariant().Replace('U', 'T');
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new List<ulong>();
        for (int start = 0; start + k <= sequence.Length; start++)
        {
            string window = sequence.Substring(start, k);
            foreach (string kmer in Expand(window, degenerate))
            {
                int occurrence = seen.GetValueOrDefault(kmer) + 1;
                seen[kmer] = occurrence;
                ulong value = 0;
                foreach (char ch in kmer)
                {
                    value = value * 4 + (ulong)"ACGT".IndexOf(ch, StringComparison.Ordinal);
                }

                if (b == 0 && occurrence == 1)
                {
                    keys.Add(value);
                }
                else if (b > 0 && occurrence <= 1 << b)
                {
                    keys.Add((value << b) | (uint)(occurrence - 1));
                }
            }
        }

        return keys;
    }

    private static IEnumerable<string> Expand(string window, bool degenerate)
    {
        if (!degenerate)
        {
            return [window];
        }

        if (window.Contains('N', StringComparison.Ordinal))
        {
            return [];
        }

        var ambiguous = Enumerable.Range(0, window.Length).Where(i => Bases[window[i]].Length > 1).ToList();
        return ambiguous.Count switch
        {
            0 => [window],
            1 => Bases[window[ambiguous[0]]].Select(alt => string.Concat(window.AsSpan(0, ambiguous[0]), alt.ToString(), window.AsSpan(ambiguous[0] + 1))),
            _ => [],
        };
    }
}
