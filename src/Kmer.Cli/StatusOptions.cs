namespace Kmer.Cli;

/// <summary>What <c>kmer-cli status</c> or <c>kmer-cli jobs</c> was asked to do.</summary>
/// <param name="SocketPath">The worker socket, or null for <c>KMER_WORKER_SOCKET</c> or the default.</param>
/// <param name="Json">Write one JSON object instead of text.</param>
/// <param name="Timeout">How long connecting and both answers may take together.</param>
/// <param name="JobsOnly">Write only the jobs (<c>kmer-cli jobs</c>).</param>
public sealed record StatusOptions(string? SocketPath, bool Json, TimeSpan Timeout, bool JobsOnly)
{
    /// <summary>The timeout when none is given: 5 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
}
