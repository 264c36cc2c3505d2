namespace Kmer.Worker.Analysis;

/// <summary>The high-frequency threshold rule (spec highfreq-analysis.md §1.3).</summary>
internal static class HighfreqThreshold
{
    /// <summary>
    /// <c>trunc(total_rows × rate)</c> (the IEEE double product truncated
    /// toward zero), lowered to <paramref name="maxAppearanceNrow"/> when that
    /// is positive. A key is high-frequency when its count is strictly greater.
    /// </summary>
    public static long Compute(long totalRows, double maxAppearanceRate, int maxAppearanceNrow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalRows);
        double product = totalRows * maxAppearanceRate;
        ulong rateThreshold = product <= 0 ? 0 : (ulong)product;
        ulong threshold = maxAppearanceNrow > 0 ? Math.Min(rateThreshold, (ulong)maxAppearanceNrow) : rateThreshold;
        return (long)threshold;
    }
}
