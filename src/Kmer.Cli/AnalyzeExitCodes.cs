namespace Kmer.Cli;

/// <summary>Process exit codes of <c>kmer-cli analyze</c>.</summary>
public static class AnalyzeExitCodes
{
    /// <summary>The analysis ran; its result was written.</summary>
    public const int Ok = 0;

    /// <summary>The server raised an error (SQLSTATE, message, detail and hint are written to stderr).</summary>
    public const int SqlError = 1;

    /// <summary>Invalid options.</summary>
    public const int Usage = 2;

    /// <summary>PostgreSQL could not be reached, refused the connection, or the connection was lost.</summary>
    public const int CannotConnect = 4;

    /// <summary>Interrupted (Ctrl-C): the running statement was cancelled; 128 + SIGINT, as shells report it.</summary>
    public const int Cancelled = 130;
}
