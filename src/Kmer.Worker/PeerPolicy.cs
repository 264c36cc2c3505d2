using Kmer.Protocol;

namespace Kmer.Worker;

/// <summary>Who may use the socket: the server user runs calls, admin users get status and cancel, nobody else gets in.</summary>
internal static class PeerPolicy
{
    /// <summary>The peer kind of OS user <paramref name="userName"/>, or null when it may not connect.</summary>
    public static PeerKind? Classify(string userName, WorkerOptions options)
    {
        if (string.Equals(userName, options.ServerUser, StringComparison.Ordinal))
        {
            return PeerKind.Server;
        }

        return options.AdminUsers.Contains(userName, StringComparer.Ordinal) ? PeerKind.Admin : null;
    }

    /// <summary>The <c>peer</c> value of <c>welcome</c>, for logs.</summary>
    public static string Name(PeerKind peer) => peer == PeerKind.Server ? "server" : "admin";
}
