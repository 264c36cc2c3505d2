namespace Kmer.Protocol;

/// <summary>Who the worker recognised at the other end of the socket (the <c>peer</c> key of <see cref="Welcome"/>).</summary>
public enum PeerKind
{
    /// <summary><c>server</c>: the PostgreSQL server's OS user.</summary>
    Server,

    /// <summary><c>admin</c>: a configured admin user.</summary>
    Admin,
}
