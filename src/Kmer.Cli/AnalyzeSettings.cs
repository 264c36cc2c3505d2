using System.Globalization;

namespace Kmer.Cli;

/// <summary>
/// The optional settings of <c>kmer-cli analyze</c>; each one given is set for
/// the session (<c>set_config(name, value, false)</c>) before the call, and
/// the server checks its range.
/// </summary>
/// <param name="KmerSize"><c>kmersearch.kmer_size</c>.</param>
/// <param name="OccurBitlen"><c>kmersearch.occur_bitlen</c>.</param>
/// <param name="MaxAppearanceRate"><c>kmersearch.max_appearance_rate</c>.</param>
/// <param name="MaxAppearanceNrow"><c>kmersearch.max_appearance_nrow</c>.</param>
/// <param name="Readers"><c>max_parallel_maintenance_workers</c>.</param>
/// <param name="MemoryLimitMb"><c>kmersearch.highfreq_analysis_memory_limit</c>, in MB.</param>
public sealed record AnalyzeSettings(
    int? KmerSize = null,
    int? OccurBitlen = null,
    double? MaxAppearanceRate = null,
    int? MaxAppearanceNrow = null,
    int? Readers = null,
    int? MemoryLimitMb = null)
{
    /// <summary>The settings the report shows, given or not, as the server has them during the call.</summary>
    public static readonly IReadOnlyList<string> Reported =
    [
        "kmersearch.kmer_size",
        "kmersearch.occur_bitlen",
        "kmersearch.max_appearance_rate",
        "kmersearch.max_appearance_nrow",
        "max_parallel_maintenance_workers",
        "kmersearch.highfreq_analysis_memory_limit",
    ];

    /// <summary>The given settings as (name, value) pairs, in a fixed order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToSet()
    {
        List<KeyValuePair<string, string>> set = [];
        Add(set, "kmersearch.kmer_size", KmerSize);
        Add(set, "kmersearch.occur_bitlen", OccurBitlen);
        if (MaxAppearanceRate is double rate)
        {
            set.Add(new("kmersearch.max_appearance_rate", rate.ToString("R", CultureInfo.InvariantCulture)));
        }

        Add(set, "kmersearch.max_appearance_nrow", MaxAppearanceNrow);
        Add(set, "max_parallel_maintenance_workers", Readers);
        Add(set, "kmersearch.highfreq_analysis_memory_limit", MemoryLimitMb);
        return set;
    }

    private static void Add(List<KeyValuePair<string, string>> set, string name, int? value)
    {
        if (value is int v)
        {
            set.Add(new(name, v.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
