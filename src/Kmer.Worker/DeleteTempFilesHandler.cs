using System.Globalization;
using Kmer.Protocol;
using Microsoft.Extensions.Logging;

namespace Kmer.Worker;

/// <summary>
/// <c>kmersearch_delete_tempfiles()</c>: deletes what k-mer analyses of the
/// caller's database left in the pool's spill directory (jobs of a worker
/// that died). Returns one row: files deleted, their total size, errors.
/// </summary>
/// <remarks>
/// Entries of <see cref="SpillDirectory.Root"/> named
/// <c>pg_kmersearch_db&lt;caller's database OID&gt;_…</c> are leftovers; other
/// databases' directories and any other files are never touched. For each
/// leftover directory: a directory of a running job is skipped (INFO); one
/// modified less than 60 seconds ago is skipped (INFO); otherwise every
/// regular file in it is deleted (INFO with path and size; a failure is a
/// WARNING and an error), then the directory itself is removed (INFO either
/// way; not being able to remove it is not an error). An entry that cannot be
/// examined is a WARNING and an error. A missing spill directory is a WARNING
/// and a row of zeros.
/// </remarks>
[BridgedFunction(
    HandlerName,
    Returns = "TABLE(deleted_count integer, deleted_size bigint, error_count integer)",
    Strict = true,
    Comment = "Deletes the temporary files that k-mer analyses of the current database left in the worker pool's spill directory, "
        + "skipping running jobs and directories modified in the last 60 seconds; returns the number of files deleted, their total size in bytes, and the number of errors.")]
public sealed class DeleteTempFilesHandler : ICallHandler
{
    /// <summary>The handler name the SQL function's body names.</summary>
    public const string HandlerName = "kmersearch_delete_tempfiles";

    /// <summary>How long a directory must have been left alone before it counts as a leftover.</summary>
    internal static readonly TimeSpan DefaultMinimumAge = TimeSpan.FromSeconds(60);

    private readonly SpillDirectory _spill;
    private readonly TimeProvider _time;
    private readonly ILogger<DeleteTempFilesHandler> _logger;

    /// <summary>Creates the handler.</summary>
    public DeleteTempFilesHandler(SpillDirectory spill, TimeProvider time, ILogger<DeleteTempFilesHandler> logger)
    {
        _spill = spill;
        _time = time;
        _logger = logger;
    }

    /// <summary>Directories modified more recently than this are skipped (<see cref="DefaultMinimumAge"/>; tests shorten it).</summary>
    internal TimeSpan MinimumAge { get; set; } = DefaultMinimumAge;

    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        long databaseOid = context.Call.Context.DatabaseOid ?? throw SpillDirectory.MissingDatabaseOid();
        var run = new Run(context, cancellationToken);
        string root = _spill.Root;
        if (!Directory.Exists(root))
        {
            await run.WarningAsync($"spill directory \"{root}\" does not exist", "There is nothing to delete.").ConfigureAwait(false);
            return run.Row();
        }

        string prefix = SpillDirectory.PrefixFor(databaseOid);
        List<FileSystemInfo> leftovers;
        try
        {
            leftovers = [.. new DirectoryInfo(root)
                .EnumerateFileSystemInfos("*", new EnumerationOptions { IgnoreInaccessible = false, AttributesToSkip = 0 })
                .Where(e => e.Name.StartsWith(prefix, StringComparison.Ordinal))
                .OrderBy(e => e.Name, StringComparer.Ordinal)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await run.WarningAsync($"could not open spill directory \"{root}\": {ex.Message}").ConfigureAwait(false);
            return run.Row();
        }

        foreach (FileSystemInfo entry in leftovers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await CleanAsync(run, entry).ConfigureAwait(false);
        }

        Log.TempFilesDeleted(_logger, databaseOid, root, run.DeletedCount, run.DeletedSize, run.ErrorCount);
        return run.Row();
    }

    private async Task CleanAsync(Run run, FileSystemInfo entry)
    {
        string path = entry.FullName;
        DateTime modified;
        bool isDirectory;
        try
        {
            entry.Refresh();
            if (!entry.Exists)
            {
                throw new FileNotFoundException("No such file or directory.", path);
            }

            modified = entry.LastWriteTimeUtc;
            isDirectory = entry is DirectoryInfo && entry.LinkTarget is null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await run.ErrorAsync($"could not stat \"{path}\": {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (!isDirectory)
        {
            await run.InfoAsync($"skipping \"{path}\": it is not a directory").ConfigureAwait(false);
            return;
        }

        if (_spill.OwnerOf(path) is long job)
        {
            await run.InfoAsync(string.Create(CultureInfo.InvariantCulture, $"skipping \"{path}\": it belongs to running job {job}")).ConfigureAwait(false);
            return;
        }

        if (_time.GetUtcNow().UtcDateTime - modified < MinimumAge)
        {
            await run.InfoAsync(string.Create(CultureInfo.InvariantCulture,
                $"skipping \"{path}\": it was modified less than {MinimumAge.TotalSeconds:0.###} seconds ago")).ConfigureAwait(false);
            return;
        }

        List<FileSystemInfo> files;
        try
        {
            files = [.. new DirectoryInfo(path)
                .EnumerateFileSystemInfos("*", new EnumerationOptions { IgnoreInaccessible = false, AttributesToSkip = 0 })
                .OrderBy(f => f.Name, StringComparer.Ordinal)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await run.ErrorAsync($"could not open directory \"{path}\": {ex.Message}").ConfigureAwait(false);
            files = [];
        }

        foreach (FileSystemInfo file in files)
        {
            run.CancellationToken.ThrowIfCancellationRequested();
            await DeleteFileAsync(run, file).ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(path, recursive: false);
            await run.InfoAsync($"removed directory \"{path}\"").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await run.InfoAsync($"could not remove directory \"{path}\": {ex.Message}").ConfigureAwait(false);
        }
    }

    private static async Task DeleteFileAsync(Run run, FileSystemInfo file)
    {
        long size;
        try
        {
            file.Refresh();
            if (!file.Exists)
            {
                throw new FileNotFoundException("No such file or directory.", file.FullName);
            }

            // Only regular files: subdirectories and symbolic links stay (and keep the directory).
            if (file is not FileInfo info || file.LinkTarget is not null)
            {
                return;
            }

            size = info.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await run.ErrorAsync($"could not stat \"{file.FullName}\": {ex.Message}").ConfigureAwait(false);
            return;
        }

        try
        {
            File.Delete(file.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await run.ErrorAsync($"could not delete \"{file.FullName}\": {ex.Message}").ConfigureAwait(false);
            return;
        }

        run.Deleted(size);
        await run.InfoAsync(string.Create(CultureInfo.InvariantCulture, $"deleted \"{file.FullName}\" ({size} bytes)")).ConfigureAwait(false);
    }

    /// <summary>The counts and notices of one call.</summary>
    private sealed class Run(HandlerContext context, CancellationToken cancellationToken)
    {
        public CancellationToken CancellationToken { get; } = cancellationToken;

        public int DeletedCount { get; private set; }

        public long DeletedSize { get; private set; }

        public int ErrorCount { get; private set; }

        public void Deleted(long size)
        {
            DeletedCount++;
            DeletedSize += size;
        }

        public ValueTask InfoAsync(string message) =>
            context.SendNoticeAsync(NoticeLevel.Info, message, cancellationToken: CancellationToken);

        public ValueTask WarningAsync(string message, string? detail = null) =>
            context.SendNoticeAsync(NoticeLevel.Warning, message, detail, cancellationToken: CancellationToken);

        public ValueTask ErrorAsync(string message)
        {
            ErrorCount++;
            return WarningAsync(message);
        }

        public List<Dictionary<string, object?>> Row() =>
        [
            new(StringComparer.Ordinal)
            {
                ["deleted_count"] = DeletedCount,
                ["deleted_size"] = DeletedSize,
                ["error_count"] = ErrorCount,
            },
        ];
    }
}
