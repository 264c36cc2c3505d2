using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Kmer.Core.Counting;

/// <summary>
/// The sparse strategy's temporary files: creates them in the spill directory
/// under a name prefix of its own (<c>keycounts-&lt;random&gt;-</c>), appends
/// and reads records, and deletes them — each as soon as it is consumed, and
/// every one left on <see cref="Dispose"/>. Thread-safe; a file is written by
/// one thread at a time.
/// </summary>
internal sealed class SpillStore : IDisposable
{
    private readonly string _prefix;
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    private int _created;
    private int _sequence;
    private bool _disposed;

    public SpillStore(string directory)
    {
        _prefix = Path.Combine(
            Path.GetFullPath(directory),
            string.Create(CultureInfo.InvariantCulture, $"keycounts-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}-"));
    }

    /// <summary>Files created so far (deleted ones included).</summary>
    public int CreatedCount => Volatile.Read(ref _created);

    /// <summary>The name of writer <paramref name="writer"/>'s file for partition <paramref name="partition"/>.</summary>
    public string WriterFile(int writer, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{_prefix}w{writer}-p{partition}.bin");

    /// <summary>A new file name for records split off a partition.</summary>
    public string SplitFile() =>
        string.Create(CultureInfo.InvariantCulture, $"{_prefix}s{Interlocked.Increment(ref _sequence)}.bin");

    /// <summary>Creates the empty file <paramref name="path"/> and opens it for writing.</summary>
    /// <exception cref="ObjectDisposedException">The counter was disposed.</exception>
    public SafeFileHandle Create(string path)
    {
        lock (_live)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            _live.Add(path);
            _created++;
            return handle;
        }
    }

    /// <summary>Opens a file this store made for appending.</summary>
    public static SafeFileHandle OpenForAppend(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.Read);

    /// <summary>Opens a file this store made for reading.</summary>
    public static SafeFileHandle OpenForRead(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);

    /// <summary>Writes <paramref name="records"/> (already in file form, see <see cref="KeyHash.ToKeys"/>) at <paramref name="offset"/>.</summary>
    public static void Write(SafeFileHandle handle, ReadOnlySpan<CountSlot> records, long offset) =>
        RandomAccess.Write(handle, MemoryMarshal.AsBytes(records), offset);

    /// <summary>Reads up to <paramref name="buffer"/>'s length in records from <paramref name="offset"/>; returns the number read.</summary>
    public static int Read(SafeFileHandle handle, Span<CountSlot> buffer, long offset)
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(buffer);
        int total = 0;
        while (total < bytes.Length)
        {
            int read = RandomAccess.Read(handle, bytes[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        if (total % CountSlot.Size != 0)
        {
            throw new IOException($"The spill file ends in the middle of a record ({total} bytes read at offset {offset}).");
        }

        return total / CountSlot.Size;
    }

    /// <summary>Deletes a file this store made.</summary>
    public void Delete(string path)
    {
        File.Delete(path);
        lock (_live)
        {
            _live.Remove(path);
        }
    }

    /// <summary>Deletes every file left; later <see cref="Create"/> calls fail.</summary>
    public void Dispose()
    {
        string[] left;
        lock (_live)
        {
            _disposed = true;
            left = [.. _live];
            _live.Clear();
        }

        foreach (string path in left)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Best effort: the caller removes its spill directory as well.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }
    }
}
