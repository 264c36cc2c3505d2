using System.Globalization;
using Kmer.Protocol;

namespace Kmer.Worker.Partitioning;

/// <summary>The caller's settings that <c>kmersearch_parallel_create_index</c> depends on, read from the call's context.</summary>
/// <param name="KmerSize"><c>kmersearch.kmer_size</c> (k).</param>
/// <param name="OccurBitlen"><c>kmersearch.occur_bitlen</c> (b).</param>
/// <param name="PrecludeHighfreqKmer"><c>kmersearch.preclude_highfreq_kmer</c>.</param>
/// <param name="ForceParallelCache"><c>kmersearch.force_use_parallel_highfreq_kmer_cache</c>.</param>
/// <param name="MaxAppearanceRate"><c>kmersearch.max_appearance_rate</c>.</param>
/// <param name="MaxAppearanceNrow"><c>kmersearch.max_appearance_nrow</c>.</param>
/// <param name="MaxParallelMaintenanceWorkers"><c>max_parallel_maintenance_workers</c>.</param>
/// <param name="MaintenanceWorkMemKb"><c>maintenance_work_mem</c> in kB.</param>
/// <param name="LockTimeoutMs"><c>lock_timeout</c> in milliseconds (0: none).</param>
public sealed record ParallelIndexSettings(
    int KmerSize,
    int OccurBitlen,
    bool PrecludeHighfreqKmer,
    bool ForceParallelCache,
    double MaxAppearanceRate,
    int MaxAppearanceNrow,
    int MaxParallelMaintenanceWorkers,
    long MaintenanceWorkMemKb,
    long LockTimeoutMs)
{
    /// <summary>The <c>lock_timeout</c> of the build sessions when the caller has none: a locked partition fails after this long instead of waiting forever.</summary>
    public const long DefaultLockTimeoutMs = 5000;

    /// <summary>The smallest <c>maintenance_work_mem</c> PostgreSQL accepts, in kB.</summary>
    public const long MinimumMaintenanceWorkMemKb = 1024;

    /// <summary>The <c>lock_timeout</c> each build session gets: the caller's, else <see cref="DefaultLockTimeoutMs"/>.</summary>
    public long SessionLockTimeoutMs => LockTimeoutMs > 0 ? LockTimeoutMs : DefaultLockTimeoutMs;

    /// <summary>
    /// The <c>maintenance_work_mem</c> (kB) of each of <paramref name="sessions"/>
    /// concurrent builds: the caller's divided among them (at least 1 MB), so
    /// the builds together use about what one <c>CREATE INDEX</c> would.
    /// </summary>
    public long SessionMaintenanceWorkMemKb(int sessions) =>
        Math.Max(MinimumMaintenanceWorkMemKb, MaintenanceWorkMemKb / Math.Max(1, sessions));

    /// <summary>Reads the settings; a missing or unreadable one takes PostgreSQL's or the extension's default.</summary>
    public static ParallelIndexSettings From(CallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyDictionary<string, string> s = context.Settings;
        return new ParallelIndexSettings(
            KmerSize: (int)Integer(s, "kmersearch.kmer_size", 16),
            OccurBitlen: (int)Integer(s, "kmersearch.occur_bitlen", 8),
            PrecludeHighfreqKmer: Boolean(s, "kmersearch.preclude_highfreq_kmer"),
            ForceParallelCache: Boolean(s, "kmersearch.force_use_parallel_highfreq_kmer_cache"),
            MaxAppearanceRate: s.TryGetValue("kmersearch.max_appearance_rate", out string? rate)
                && double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) ? r : 0.5,
            MaxAppearanceNrow: (int)Integer(s, "kmersearch.max_appearance_nrow", 0),
            MaxParallelMaintenanceWorkers: (int)Integer(s, "max_parallel_maintenance_workers", 2),
            MaintenanceWorkMemKb: Integer(s, "maintenance_work_mem", 65536),
            LockTimeoutMs: Integer(s, "lock_timeout", 0));
    }

    private static long Integer(IReadOnlyDictionary<string, string> settings, string name, long fallback) =>
        settings.TryGetValue(name, out string? text)
            && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : fallback;

    // PostgreSQL prints booleans as on/off; accept its other spellings too.
    private static bool Boolean(IReadOnlyDictionary<string, string> settings, string name) =>
        settings.TryGetValue(name, out string? text)
            && text.Trim().ToLowerInvariant() is "on" or "true" or "yes" or "1" or "t" or "y";
}
