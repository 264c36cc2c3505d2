namespace Kmer.Cli;

/// <summary>What <c>kmer-cli cancel</c> was asked to do.</summary>
/// <param name="SocketPath">The worker socket, or null for <c>KMER_WORKER_SOCKET</c> or the default.</param>
/// <param name="Json">Write one JSON object instead of text.</param>
/// <param name="Timeout">How long connecting and both answers may take together.</param>
/// <param name="Job">The job to cancel, as <c>kmer-cli jobs</c> lists it.</param>
public sealed record CancelOptions(string? SocketPath, bool Json, TimeSpan Timeout, long Job);
