using System.Globalization;
using Kmer.Core;

namespace Kmer.Search.Tests;

/// <summary>One combination of the settings that shape search results.</summary>
internal sealed record SearchSetting(int KmerSize, int OccurBitlen, int MinScore, double MinSharedKmerRate)
{
    public KmerSettings Kmer => new(KmerSize, OccurBitlen);

    /// <summary>"int2", "int4" or "int8": the operator class suffix 2k + b calls for.</summary>
    public string KeyClass => Kmer.KeyWidth switch
    {
        16 => "int2",
        32 => "int4",
        _ => "int8",
    };

    /// <summary>
    /// The statements that move a session from <paramref name="previous"/>
    /// (null: unknown) to this setting. Only what changes is assigned, because
    /// assigning kmer_size or a threshold setting clears the session caches:
    /// going from k = 8, b = 8 to k = 8, b = 0 this way, a key list cached
    /// under the old b would be found again (QUIRK Q5, fixed in this project).
    /// occur_bitlen drops to 0 first when 2k + b would otherwise exceed 64.
    /// </summary>
    public string SetStatements(SearchSetting? previous)
    {
        var statements = new List<string>();
        int occurBitlen = previous?.OccurBitlen ?? -1;
        if (previous is null || previous.KmerSize != KmerSize)
        {
            if (previous is null || (2 * KmerSize) + previous.OccurBitlen > KmerSettings.MaxTotalBits)
            {
                statements.Add("SET kmersearch.occur_bitlen = 0");
                occurBitlen = 0;
            }

            statements.Add(string.Create(CultureInfo.InvariantCulture, $"SET kmersearch.kmer_size = {KmerSize}"));
        }

        if (occurBitlen != OccurBitlen)
        {
            statements.Add(string.Create(CultureInfo.InvariantCulture, $"SET kmersearch.occur_bitlen = {OccurBitlen}"));
        }

        if (previous is null || previous.MinScore != MinScore)
        {
            statements.Add(string.Create(CultureInfo.InvariantCulture, $"SET kmersearch.min_score = {MinScore}"));
        }

        if (previous is null || previous.MinSharedKmerRate != MinSharedKmerRate)
        {
            statements.Add(string.Create(CultureInfo.InvariantCulture, $"SET kmersearch.min_shared_kmer_rate = {MinSharedKmerRate:R}"));
        }

        return string.Join("; ", statements);
    }

    /// <summary>
    /// The score a row needs, predicted from the spec: max(1, min_score,
    /// ceil(rate × |Q|)) (no high-frequency k-mers are involved here).
    /// </summary>
    public int Threshold(int queryKeys) =>
        Math.Max(1, Math.Max(MinScore, (int)Math.Ceiling(MinSharedKmerRate * queryKeys)));

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"k={KmerSize} b={OccurBitlen} min_score={MinScore} rate={MinSharedKmerRate:R} ({KeyClass})");
}
