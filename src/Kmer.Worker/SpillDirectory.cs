using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Kmer.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kmer.Worker;

/// <summary>
/// The pool's directory for the jobs' temporary files (<c>Worker:SpillDirectory</c>).
/// Each job that needs one gets its own directory,
/// <c>pg_kmersearch_db&lt;database OID&gt;_job&lt;job id&gt;_&lt;random&gt;</c>, mode
/// 0700, which is removed with everything in it when the lease is disposed,
/// and at the latest when the job's call ends. Directories left by a worker
/// that died are removed by <c>kmersearch_delete_tempfiles</c>, which skips
/// the directories of running jobs. Thread-safe.
/// </summary>
public sealed class SpillDirectory
{
    /// <summary>How every job directory's name starts; the database OID and <c>_</c> follow.</summary>
    public const string NamePrefix = "pg_kmersearch_db";

    /// <summary>Owner-only: the spill directory and the jobs' directories.</summary>
    internal const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly ConcurrentDictionary<string, SpillLease> _leases = new(StringComparer.Ordinal);
    private readonly ILogger<SpillDirectory> _logger;

    /// <summary>Uses <c>Worker:SpillDirectory</c>; nothing is created until a job needs it.</summary>
    public SpillDirectory(IOptions<WorkerOptions> options, ILogger<SpillDirectory> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        Root = Path.GetFullPath(options.Value.SpillDirectory);
        _logger = logger;
    }

    /// <summary>The spill directory's absolute path.</summary>
    public string Root { get; }

    /// <summary>The name prefix of the job directories of database <paramref name="databaseOid"/>: <c>pg_kmersearch_db&lt;oid&gt;_</c>.</summary>
    public static string PrefixFor(long databaseOid) =>
        string.Create(CultureInfo.InvariantCulture, $"{NamePrefix}{databaseOid}_");

    /// <summary>
    /// Creates a new directory for <paramref name="job"/> (and the spill
    /// directory, mode 0700, when missing). Dispose the lease when done; the
    /// directory is removed when the job's call ends in any case.
    /// </summary>
    /// <exception cref="CallFailedException">08P01: the call's context has no database OID (the extension is older than the worker).</exception>
    /// <exception cref="IOException">The directory could not be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The worker may not create it.</exception>
    public SpillLease CreateForJob(Job job, CallContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        long databaseOid = context.DatabaseOid ?? throw MissingDatabaseOid();
        EnsureRoot();
        string name = string.Create(CultureInfo.InvariantCulture,
            $"{PrefixFor(databaseOid)}job{job.Id}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}");
        string path = Path.Combine(Root, name);
        var lease = new SpillLease(this, job, path);

        // Registered before it exists, so kmersearch_delete_tempfiles never sees it unclaimed.
        _leases[path] = lease;
        try
        {
            CreatePrivateDirectory(path);
        }
        catch
        {
            _leases.TryRemove(path, out _);
            throw;
        }

        Log.SpillDirectoryCreated(_logger, job.Id, path);
        return lease;
    }

    /// <summary>The id of the running job that owns the directory <paramref name="path"/>, or null when no running job does.</summary>
    public long? OwnerOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return _leases.TryGetValue(Path.GetFullPath(path), out SpillLease? lease) ? lease.Job.Id : null;
    }

    /// <summary>Creates the spill directory (mode 0700) when it does not exist.</summary>
    public void EnsureRoot()
    {
        if (!Directory.Exists(Root))
        {
            CreatePrivateDirectory(Root);
            Log.SpillRootCreated(_logger, Root);
        }
    }

    /// <summary>Removes the directories <paramref name="job"/> still holds; called when its call ends.</summary>
    internal void ReleaseJob(Job job)
    {
        foreach (SpillLease lease in _leases.Values)
        {
            if (lease.Job == job)
            {
                lease.Dispose();
            }
        }
    }

    /// <summary>Deletes a lease's directory and forgets it (once per lease).</summary>
    internal void Release(SpillLease lease)
    {
        try
        {
            if (Directory.Exists(lease.Path))
            {
                Directory.Delete(lease.Path, recursive: true);
            }

            Log.SpillDirectoryRemoved(_logger, lease.Job.Id, lease.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for kmersearch_delete_tempfiles.
            Log.SpillDirectoryRemoveFailed(_logger, lease.Job.Id, lease.Path, ex);
        }
        finally
        {
            _leases.TryRemove(lease.Path, out _);
        }
    }

    /// <summary>Creates <paramref name="path"/> and any missing parents, mode 0700.</summary>
    private static void CreatePrivateDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The kmer worker runs on Linux only.");
        }

        Directory.CreateDirectory(path, DirectoryMode);
    }

    internal static CallFailedException MissingDatabaseOid() => new(
        ProtocolException.ProtocolViolation,
        "the call's context has no database_oid",
        "The worker needs the caller's database OID to name and find temporary files.",
        "Install matching versions of the pg_kmersearch extension and the kmer worker.");
}
