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
}
