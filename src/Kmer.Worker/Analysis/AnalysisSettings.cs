using System.Globalization;
using Kmer.Core;
using Kmer.Protocol;

namespace Kmer.Worker.Analysis;

/// <summary>
/// The settings one high-frequency analysis runs with, read from the call's
/// context (the caller's session: values in base units, as text).
/// </summary>
/// <param name="Kmer">k and b (<c>kmersearch.kmer_size</c>, <c>kmersearch.occur_bitlen</c>).</param>
/// <param name="MaxAppearanceRate"><c>kmersearch.max_appearance_rate</c> (0 to 1).</param>
/// <param name="MaxAppearanceNrow"><c>kmersearch.max_appearance_nrow</c> (0: no row-count limit).</param>
/// <param name="BatchSize"><c>kmersearch.highfreq_analysis_batch_size</c>: rows per work unit handed to a reader.</param>
/// <param name="MemoryLimitMB">The smaller of <c>kmersearch.highfreq_analysis_memory_limit</c> and <c>Worker:AnalysisMemoryLimitMB</c>.</param>
/// <param name="MaxParallelMaintenanceWorkers"><c>max_parallel_maintenance_workers</c>: the most readers the caller allows (0 still means one).</param>
internal sealed record AnalysisSettings(
    KmerSettings Kmer,
    double MaxAppearanceRate,
    int MaxAppearanceNrow,
    int BatchSize,
    int MemoryLimitMB,
    int MaxParallelMaintenanceWorkers)
{
    /// <summary>The setting names read from the call's context.</summary>
    public const string KmerSize = "kmersearch.kmer_size";

    /// <summary><c>kmersearch.occur_bitlen</c>.</summary>
    public const string OccurBitlen = "kmersearch.occur_bitlen";

    /// <summary><c>kmersearch.max_appearance_rate</c>.</summary>
    public const string MaxAppearanceRateSetting = "kmersearch.max_appearance_rate";

    /// <summary><c>kmersearch.max_appearance_nrow</c>.</summary>
    public const string MaxAppearanceNrowSetting = "kmersearch.max_appearance_nrow";

    /// <summary><c>kmersearch.highfreq_analysis_batch_size</c>.</summary>
    public const string BatchSizeSetting = "kmersearch.highfreq_analysis_batch_size";

    /// <summary><c>kmersearch.highfreq_analysis_memory_limit</c> (MB).</summary>
    public const string MemoryLimitSetting = "kmersearch.highfreq_analysis_memory_limit";

    /// <summary><c>max_parallel_maintenance_workers</c>.</summary>
    public const string MaxParallelMaintenanceWorkersSetting = "max_parallel_maintenance_workers";

    /// <summary>The memory limit in bytes.</summary>
    public long MemoryLimitBytes => MemoryLimitMB * 1024L * 1024L;

    /// <summary>
    /// Reads the settings of <paramref name="context"/>; the memory limit is
    /// capped at <paramref name="workerMemoryLimitMB"/>.
    /// </summary>
    /// <exception cref="CallFailedException">
    /// 08P01 when a setting is missing or not a number (the extension always
    /// sends them); 22023 when a value is out of its range.
    /// </exception>
    public static AnalysisSettings FromContext(CallContext context, int workerMemoryLimitMB)
    {
        ArgumentNullException.ThrowIfNull(context);
        int k = Integer(context, KmerSize);
        int b = Integer(context, OccurBitlen);
        KmerSettings kmer;
        try
        {
            kmer = new KmerSettings(k, b);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new CallFailedException(
                InvalidParameterValue,
                string.Create(CultureInfo.InvariantCulture, $"kmersearch.kmer_size = {k} and kmersearch.occur_bitlen = {b} cannot be used together"),
                ex.Message);
        }

        double rate = Real(context, MaxAppearanceRateSetting);
        if (!(rate >= 0 && rate <= 1))
        {
            throw OutOfRange(MaxAppearanceRateSetting, context.Settings[MaxAppearanceRateSetting], "0 to 1");
        }

        int nrow = Integer(context, MaxAppearanceNrowSetting);
        if (nrow < 0)
        {
            throw OutOfRange(MaxAppearanceNrowSetting, context.Settings[MaxAppearanceNrowSetting], "0 or more");
        }

        int batch = Integer(context, BatchSizeSetting);
        if (batch < 1)
        {
            throw OutOfRange(BatchSizeSetting, context.Settings[BatchSizeSetting], "1 or more");
        }

        int memory = Integer(context, MemoryLimitSetting);
        if (memory < 1)
        {
            throw OutOfRange(MemoryLimitSetting, context.Settings[MemoryLimitSetting], "1 MB or more");
        }

        int workers = Integer(context, MaxParallelMaintenanceWorkersSetting);
        return new AnalysisSettings(kmer, rate, nrow, batch, Math.Min(memory, Math.Max(1, workerMemoryLimitMB)), Math.Max(0, workers));
    }

    /// <summary>SQLSTATE invalid_parameter_value.</summary>
    internal const string InvalidParameterValue = "22023";

    private static string Text(CallContext context, string name) =>
        context.Settings.TryGetValue(name, out string? value)
            ? value
            : throw new CallFailedException(
                ProtocolException.ProtocolViolation,
                $"the call's context lacks the setting \"{name}\"",
                "The high-frequency analysis needs every kmersearch.* setting of the caller's session.",
                "Install matching versions of the pg_kmersearch extension and the kmer worker.");

    private static int Integer(CallContext context, string name)
    {
        string text = Text(context, name);
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw NotANumber(name, text);
    }

    private static double Real(CallContext context, string name)
    {
        string text = Text(context, name);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw NotANumber(name, text);
    }

    private static CallFailedException NotANumber(string name, string text) =>
        new(ProtocolException.ProtocolViolation, $"the call's setting \"{name}\" is \"{text}\", which is not a number");

    private static CallFailedException OutOfRange(string name, string text, string range) =>
        new(InvalidParameterValue, $"{name} = {text} is out of range for the high-frequency analysis", $"It must be {range}.");
}
