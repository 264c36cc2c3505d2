namespace Kmer.Cli;

/// <summary>What <c>kmer-cli doctor</c> was asked to do.</summary>
/// <param name="ConnectionString">Npgsql connection string, or null for <c>KMER_CONNECTION</c> or <see cref="DefaultConnectionString"/>.</param>
/// <param name="SocketPath">Worker socket overriding the one the server is configured with, or null.</param>
/// <param name="Json">Write a JSON array instead of text.</param>
/// <param name="Timeout">How long the worker may take to answer.</param>
public sealed record DoctorOptions(string? ConnectionString, string? SocketPath, bool Json, TimeSpan Timeout)
{
    /// <summary>The environment variable with the connection string.</summary>
    public const string ConnectionVariable = "KMER_CONNECTION";

    /// <summary>The connection string when neither the option nor the variable gives one.</summary>
    public const string DefaultConnectionString = "Host=/var/run/postgresql;Username=postgres;Database=postgres";
}
