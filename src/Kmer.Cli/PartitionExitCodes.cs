namespace Kmer.Cli;

/// <summary>
/// Process exit codes of <c>kmer-cli partition</c>, <c>unpartition</c> and
/// <c>index</c>: those of <c>analyze</c> (<see cref="AnalyzeExitCodes"/>), and
/// one for an index build in which some partitions failed.
/// </summary>
public static class PartitionExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = AnalyzeExitCodes.Ok;

    /// <summary>The server raised an error (written to stderr with SQLSTATE, detail and hint).</summary>
    public const int SqlError = AnalyzeExitCodes.SqlError;

    /// <summary>Invalid options.</summary>
    public const int Usage = AnalyzeExitCodes.Usage;

    /// <summary><c>index</c>: the call ended, but some partitions' indexes could not be built, so the partitioned index was not created.</summary>
    public const int PartitionsFailed = 3;

    /// <summary>PostgreSQL could not be reached, refused the connection, or the connection was lost.</summary>
    public const int CannotConnect = AnalyzeExitCodes.CannotConnect;

    /// <summary>Interrupted (Ctrl-C): the running statement was cancelled.</summary>
    public const int Cancelled = AnalyzeExitCodes.Cancelled;
}
