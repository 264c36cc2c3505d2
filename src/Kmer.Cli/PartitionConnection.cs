using Npgsql;

namespace Kmer.Cli;

/// <summary>
/// The connection of <c>kmer-cli partition</c>, <c>unpartition</c> and
/// <c>index</c>: resolved as for <c>analyze</c> (<see cref="AnalyzeConnection.Resolve"/>:
/// options, then <c>--connection</c>/<c>KMER_CONNECTION</c>, then the libpq
/// variables, then <c>doctor</c>'s default), reporting
/// <c>kmer-cli &lt;command&gt;</c> as its application_name unless the
/// connection string names one.
/// </summary>
public static class PartitionConnection
{
    /// <summary>Builds the connection string for <paramref name="command"/>.</summary>
    /// <exception cref="ArgumentException">The connection string, or a port from the environment, is not valid.</exception>
    public static string Resolve(
        string command, string? connection, string? host, int? port, string? database, string? user, Func<string, string?> getEnvironmentVariable)
    {
        var builder = new NpgsqlConnectionStringBuilder(AnalyzeConnection.Resolve(connection, host, port, database, user, getEnvironmentVariable));
        if (builder.ApplicationName == AnalyzeConnection.ApplicationName)
        {
            builder.ApplicationName = "kmer-cli " + command;
        }

        return builder.ConnectionString;
    }
}
