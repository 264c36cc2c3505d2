using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Kmer.Cli;

/// <summary>What <c>lstat</c> says about a path: its type, mode and owner.</summary>
/// <param name="IsSocket">The path is a Unix socket.</param>
/// <param name="Mode">The permission bits (e.g. <c>0660</c>).</param>
/// <param name="Owner">Owner as <c>user:group</c> (names, or numeric ids when unknown).</param>
internal sealed record SocketFileInfo(bool IsSocket, UnixFileMode Mode, string Owner)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const ushort TypeMask = 0xF000;
    private const ushort TypeSocket = 0xC000;

    /// <summary>Reads <paramref name="path"/>'s type, mode and owner; null when it does not exist.</summary>
    /// <exception cref="IOException">The path exists but cannot be examined.</exception>
    public static SocketFileInfo? Read(string path)
    {
        // struct statx has the same layout on every Linux architecture:
        // stx_uid at 20, stx_gid at 24, stx_mode (u16) at 28; 256 bytes in all.
        byte[] buffer = new byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == 2)
            {
                return null; // ENOENT
            }

            throw new IOException($"cannot examine {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        uint uid = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20));
        uint gid = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(24));
        ushort mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        if (!BitConverter.IsLittleEndian)
        {
            uid = BinaryPrimitives.ReverseEndianness(uid);
            gid = BinaryPrimitives.ReverseEndianness(gid);
            mode = BinaryPrimitives.ReverseEndianness(mode);
        }

        return new SocketFileInfo(
            (mode & TypeMask) == TypeSocket,
            (UnixFileMode)(mode & 0x1FF),
            $"{NameOf("/etc/passwd", uid)}:{NameOf("/etc/group", gid)}");
    }

    /// <summary>The mode in octal, e.g. <c>0660</c>.</summary>
    public string OctalMode => "0" + Convert.ToString((int)Mode, 8).PadLeft(3, '0');

    // The name for an id in /etc/passwd or /etc/group ("name:x:id:..."), else the id.
    private static string NameOf(string file, uint id)
    {
        string text = id.ToString(CultureInfo.InvariantCulture);
        try
        {
            foreach (string line in File.ReadLines(file))
            {
                string[] fields = line.Split(':');
                if (fields.Length > 2 && fields[2] == text)
                {
                    return fields[0];
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return text;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
