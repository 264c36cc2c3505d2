using System.Globalization;

namespace Kmer.Worker;

/// <summary>Where the worker connects back to for a call: server, database and login role.</summary>
/// <param name="Host">A Unix socket directory (absolute path) or a host name.</param>
/// <param name="Port">The server's port (also the socket file's number).</param>
/// <param name="Database">The caller's database.</param>
/// <param name="User">The role the worker logs in as (<c>Worker:DatabaseUser</c>), not the caller's role.</param>
public sealed record DatabaseTarget(string Host, int Port, string Database, string User)
{
    /// <summary>E.g. <c>host /var/run/postgresql port 5432 database "genomes" as user "postgres"</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"host {Host} port {Port} database \"{Database}\" as user \"{User}\"");
}
