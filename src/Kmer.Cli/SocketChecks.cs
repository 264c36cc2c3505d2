using System.Globalization;
using Kmer.Protocol;

namespace Kmer.Cli;

/// <summary>
/// <c>kmer-cli doctor</c>'s checks of the worker socket: the file (exists, is
/// a socket, its mode and owner), then whether the pool answers <c>hello</c>
/// and <c>status</c>.
/// </summary>
public static class SocketChecks
{
    /// <summary>The name of the socket-file check.</summary>
    public const string SocketCheck = "socket";

    /// <summary>The name of the pool check.</summary>
    public const string PoolCheck = "pool";

    private const string StartPoolFix =
        "start the pool: with kmersearch.worker_autostart = on the server's launcher starts it (see kmer-worker.log in the data directory and the server log); "
        + "with an external pool run systemctl start kmer-worker (journalctl -u kmer-worker)";

    /// <summary>Checks the socket file at <paramref name="socketPath"/>, then asks the pool there.</summary>
    public static async Task<IReadOnlyList<DoctorCheck>> RunAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        DoctorCheck file = CheckFile(socketPath);
        if (file.Status == DoctorStatus.Fail)
        {
            return [file, DoctorCheck.Fail(PoolCheck, $"not asked: no usable socket at {socketPath}", "fix the socket check above first")];
        }

        return [file, await CheckPoolAsync(socketPath, timeout, cancellationToken).ConfigureAwait(false)];
    }

    /// <summary>Checks that <paramref name="socketPath"/> is a socket, and its mode and owner.</summary>
    public static DoctorCheck CheckFile(string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketFileInfo? info;
        try
        {
            info = SocketFileInfo.Read(socketPath);
        }
        catch (IOException ex)
        {
            return DoctorCheck.Fail(SocketCheck, ex.Message,
                $"check the permissions of {Path.GetDirectoryName(socketPath)} (run as the PostgreSQL OS user: sudo -u postgres kmer-cli doctor)");
        }

        if (info is null)
        {
            return DoctorCheck.Fail(SocketCheck, $"{socketPath} does not exist: the pool is not running, or listens elsewhere", StartPoolFix);
        }

        if (!info.IsSocket)
        {
            return DoctorCheck.Fail(SocketCheck, $"{socketPath} exists but is not a socket",
                $"remove {socketPath} (or point kmersearch.worker_socket_path / Worker:SocketPath elsewhere) and restart the pool");
        }

        string finding = $"{socketPath}: socket, mode {info.OctalMode}, owner {info.Owner}";
        if ((info.Mode & UnixFileMode.OtherWrite) != 0)
        {
            return DoctorCheck.Warn(SocketCheck, finding + ": world-writable, any local user can connect (the pool still checks peers)",
                $"chmod o-rwx {socketPath}; the pool creates it 0660, so find what changed it");
        }

        const UnixFileMode groupReadWrite = UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
        if ((info.Mode & groupReadWrite) != groupReadWrite)
        {
            return DoctorCheck.Warn(SocketCheck, finding + ": not group read/writable, so admins in its group cannot connect",
                $"chmod g+rw {socketPath} (the pool creates it 0660)");
        }

        return DoctorCheck.Ok(SocketCheck, finding);
    }

    /// <summary>Asks the pool on <paramref name="socketPath"/> for its status.</summary>
    public static async Task<DoctorCheck> CheckPoolAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        WorkerAnswer<StatusResult> answer = await WorkerConnection.AskAsync<StatusResult>(
            socketPath, new StatusRequest(), StatusResult.TypeName, timeout, cancellationToken).ConfigureAwait(false);
        if (answer is { Welcome: { } welcome, Answer: { } status })
        {
            return DoctorCheck.Ok(PoolCheck, string.Create(CultureInfo.InvariantCulture,
                $"{welcome.Server} answers: version {status.Version}, pid {status.Pid}, {status.Jobs.Count} job(s) running"));
        }

        string reason = answer.Reason ?? "no answer";
        return answer.ExitCode == ExitCodes.NotRunning
            ? DoctorCheck.Fail(PoolCheck, reason, StartPoolFix)
            : DoctorCheck.Fail(PoolCheck, reason,
                "run as the PostgreSQL OS user (sudo -u postgres kmer-cli doctor) or a user in Worker:AdminUsers, and check kmer-worker.log in the data directory (or journalctl -u kmer-worker)");
    }
}
