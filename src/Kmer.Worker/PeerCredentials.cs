using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Kmer.Worker;

/// <summary>The OS identity of the process at the other end of a Unix socket (SO_PEERCRED), with its user name.</summary>
/// <param name="Pid">The peer's process id.</param>
/// <param name="Uid">The peer's user id.</param>
/// <param name="Gid">The peer's group id.</param>
/// <param name="UserName">The user name of <paramref name="Uid"/>, or <c>#uid</c> when it has none.</param>
internal sealed partial record PeerCredentials(int Pid, uint Uid, uint Gid, string UserName)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int UcredSize = 12;
    private const int Erange = 34;

    /// <summary>Reads the peer credentials of a connected Unix stream socket (Linux).</summary>
    public static PeerCredentials Read(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> ucred = stackalloc byte[UcredSize];
        int length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length != UcredSize)
        {
            throw new SocketException((int)SocketError.InvalidArgument);
        }

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }, in host byte order.
        int pid = MemoryMarshal.Read<int>(ucred);
        uint uid = MemoryMarshal.Read<uint>(ucred[4..]);
        uint gid = MemoryMarshal.Read<uint>(ucred[8..]);
        return new PeerCredentials(pid, uid, gid, UserNameOf(uid));
    }

    /// <summary>The name of user <paramref name="uid"/> through NSS (getpwuid_r), or <c>#uid</c> when it has none.</summary>
    public static string UserNameOf(uint uid)
    {
        const int PasswdSize = 128; // larger than struct passwd on every Linux ABI
        for (int bufferSize = 1024; bufferSize <= 1 << 20; bufferSize *= 4)
        {
            nint passwd = Marshal.AllocHGlobal(PasswdSize);
            nint buffer = Marshal.AllocHGlobal(bufferSize);
            try
            {
                int rc = GetPwUidR(uid, passwd, buffer, (nuint)bufferSize, out nint found);
                if (rc == Erange)
                {
                    continue;
                }

                if (rc != 0 || found == 0)
                {
                    break;
                }

                // pw_name is the first member of struct passwd.
                string? name = Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(found));
                if (!string.IsNullOrEmpty(name))
                {
                    return name;
                }

                break;
            }
            finally
            {
                Marshal.FreeHGlobal(buffer);
                Marshal.FreeHGlobal(passwd);
            }
        }

        return "#" + uid.ToString(CultureInfo.InvariantCulture);
    }

    [LibraryImport("libc", EntryPoint = "getpwuid_r")]
    private static partial int GetPwUidR(uint uid, nint passwd, nint buffer, nuint bufferSize, out nint result);
}
