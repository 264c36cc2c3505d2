namespace Kmer.Worker;

/// <summary>The worker's settings, bound from the <c>Worker</c> configuration section.</summary>
/// <remarks>
/// Sources, later ones winning: appsettings.json, environment variables
/// (unprefixed, then <c>KMER_</c>-prefixed, e.g. <c>KMER_Worker__SocketPath</c>),
/// the command line (e.g. <c>--Worker:SocketPath=/path/kmer-worker.sock</c>).
/// </remarks>
public sealed class WorkerOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Worker";

    /// <summary>The default <see cref="SocketPath"/>, under systemd's RuntimeDirectory.</summary>
    public const string DefaultSocketPath = "/run/kmer-worker/kmer-worker.sock";

    /// <summary>The default <see cref="ServerUser"/>.</summary>
    public const string DefaultServerUser = "postgres";

    /// <summary>The default <see cref="PoolSize"/>.</summary>
    public const int DefaultPoolSize = 4;

    /// <summary>The smallest <see cref="PoolSize"/>.</summary>
    public const int MinPoolSize = 1;

    /// <summary>The largest <see cref="PoolSize"/>.</summary>
    public const int MaxPoolSize = 64;

    /// <summary>The default <see cref="SpillDirectory"/>.</summary>
    public const string DefaultSpillDirectory = "/var/lib/kmer-worker/spill";

    /// <summary>The default <see cref="AnalysisMemoryLimitMB"/>.</summary>
    public const int DefaultAnalysisMemoryLimitMB = 1024;

    /// <summary>The largest <see cref="AnalysisMemoryLimitMB"/> (1 TiB, the largest <c>kmersearch.highfreq_analysis_memory_limit</c>).</summary>
    public const int MaxAnalysisMemoryLimitMB = 1024 * 1024;

    /// <summary>The admin users when the configuration names none.</summary>
    public static IReadOnlyList<string> DefaultAdminUsers { get; } = ["root"];

    /// <summary>Where the Unix socket is created; its directory is created when missing.</summary>
    public string SocketPath { get; set; } = DefaultSocketPath;

    /// <summary>The OS user the PostgreSQL server runs as: the only peer allowed to run calls.</summary>
    public string ServerUser { get; set; } = DefaultServerUser;

    /// <summary>
    /// OS users allowed the read-only verbs (<c>status</c>) and <c>cancel</c>.
    /// When the configuration has no <c>AdminUsers</c> entries this is
    /// <see cref="DefaultAdminUsers"/>; empty entries are dropped, so
    /// <c>--Worker:AdminUsers:0=</c> configures no admin users at all.
    /// </summary>
    public IList<string> AdminUsers { get; set; } = [];

    /// <summary>
    /// The most database sessions one call may use in parallel (1 to 64). A
    /// call uses at most the smaller of this and the caller's
    /// <c>kmersearch.worker_pool_size</c>.
    /// </summary>
    public int PoolSize { get; set; } = DefaultPoolSize;

    /// <summary>
    /// The PostgreSQL role the worker logs in as when it connects back to the
    /// caller's database (it then does <c>SET ROLE</c> to the caller's role).
    /// When not configured it is <see cref="ServerUser"/>.
    /// </summary>
    public string? DatabaseUser { get; set; }

    /// <summary>
    /// The host (or Unix socket directory) to connect back to; when not set,
    /// the first entry of the caller's <c>unix_socket_directories</c>.
    /// </summary>
    public string? DatabaseHost { get; set; }

    /// <summary>The port to connect back to; when not set, the caller's <c>port</c> setting.</summary>
    public int? DatabasePort { get; set; }

    /// <summary>Where jobs keep their temporary files, one directory per job (created on demand, mode 0700).</summary>
    public string SpillDirectory { get; set; } = DefaultSpillDirectory;

    /// <summary>
    /// The most memory, in MB, one high-frequency analysis may use to count
    /// keys (1 to 1048576); beyond it the counts spill to the job's spill
    /// directory. A call uses the smaller of this and the caller's
    /// <c>kmersearch.highfreq_analysis_memory_limit</c>.
    /// </summary>
    public int AnalysisMemoryLimitMB { get; set; } = DefaultAnalysisMemoryLimitMB;

    /// <summary>Whether the <c>diagnostics.*</c> handlers (for tests and benchmarks) are registered.</summary>
    public bool EnableDiagnosticHandlers { get; set; }
}
