using System.Globalization;
using Kmer.Protocol;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Kmer.Worker.Partitioning;

/// <summary>
/// <c>kmersearch_parallel_create_index(table_name, column_name [, tablespace_name])</c>:
/// a k-mer GIN index on a partitioned table, built one leaf partition at a
/// time on several sessions at once.
/// </summary>
/// <remarks>
/// <para>
/// In the caller's session (SPI, read-only) it checks the table (partitioned,
/// else 42809), the column (exists, else 42703; DNA2 or DNA4, else 42809), the
/// tablespace (exists, else 42704), ownership, free index names, and that the
/// calling transaction holds no lock a build would wait for (55006); picks the
/// operator class for <c>2k + b</c>; and with
/// <c>kmersearch.preclude_highfreq_kmer</c> on requires
/// <c>kmersearch.force_use_parallel_highfreq_kmer_cache</c> (22023) and the
/// shared cache of this table and column (55000).
/// </para>
/// <para>
/// Then each leaf partition's index is built by <c>CREATE INDEX</c> on its own
/// session back to the server (acting as the caller, with its k-mer settings,
/// <c>lock_timeout</c> and a share of its <c>maintenance_work_mem</c>) and
/// committed on its own, like <c>CREATE INDEX CONCURRENTLY</c>: a call that
/// fails or is cancelled can leave some partition indexes built. A partition
/// that fails (e.g. locked by another session) gets a row with
/// <c>success</c> false and the error while the others go on. Only when every
/// partition has its index are the partitioned indexes created
/// (<c>CREATE INDEX … ON ONLY</c>) and the partitions' indexes attached, in
/// the caller's transaction; otherwise no partitioned index is created, and a
/// later call keeps the partition indexes already built and builds the rest.
/// </para>
/// </remarks>
[BridgedFunction(
    HandlerName,
    Parameters = "table_name text, column_name text, tablespace_name text DEFAULT NULL",
    Returns = "TABLE(partition_name text, index_name text, rows_processed bigint, execution_time_ms bigint, worker_pid integer, success boolean, error_message text)",
    Comment = "Builds a k-mer GIN index on a partitioned table: one index per leaf partition, several at once on separate sessions "
        + "(each committed on its own), then a partitioned index with every partition's index attached, unless a partition failed. "
        + "One row per leaf partition: name, index name, rows, build time in ms, building backend pid, success, error message.")]
public sealed partial class ParallelIndexHandler : ICallHandler
{
    /// <summary>The handler name the SQL function's body names.</summary>
    public const string HandlerName = "kmersearch_parallel_create_index";

    /// <summary>SQLSTATE object_not_in_prerequisite_state: the shared high-frequency cache is not loaded for this table.</summary>
    public const string NotInPrerequisiteState = "55000";

    private const string ActiveSqlTransaction = "25001";

    private readonly DatabaseSessions _sessions;
    private readonly ILogger<ParallelIndexHandler> _logger;

    /// <summary>Creates the handler.</summary>
    public ParallelIndexHandler(DatabaseSessions sessions, ILogger<ParallelIndexHandler> logger)
    {
        _sessions = sessions;
        _logger = logger;
    }

    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        (string table, string column, string? tablespace) = ParallelIndexPlanner.Arguments(context);
        var settings = ParallelIndexSettings.From(context.Call.Context);
        if (settings.PrecludeHighfreqKmer && !settings.ForceParallelCache)
        {
            throw new CallFailedException(
                ParallelIndexPlanner.InvalidParameterValue,
                "kmersearch.preclude_highfreq_kmer is on, but kmersearch.force_use_parallel_highfreq_kmer_cache is off",
                "The partitions' indexes are built in other sessions, which can only use the shared high-frequency k-mer cache, not this session's.",
                "SET kmersearch.force_use_parallel_highfreq_kmer_cache = on, and load the shared cache with kmersearch_parallel_highfreq_kmer_cache_load(table, column).");
        }

        ParallelIndexPlan plan = await ParallelIndexPlanner.PlanAsync(context, table, column, tablespace, settings, cancellationToken).ConfigureAwait(false);
        if (settings.PrecludeHighfreqKmer)
        {
            await RequireSharedCacheAsync(context, plan, table, cancellationToken).ConfigureAwait(false);
        }

        int toBuild = plan.Leaves.Count(l => !plan.Reusable.Contains(l.Oid));
        int parallelism = Math.Max(1, Math.Min(
            Math.Min(toBuild, Math.Max(1, settings.MaxParallelMaintenanceWorkers)),
            _sessions.MaxParallelism(context.Call.Context)));
        int leafCount = plan.Leaves.Count();
        await context.SendNoticeAsync(NoticeLevel.Notice,
            string.Create(CultureInfo.InvariantCulture,
                $"building k-mer indexes on {leafCount} partitions of \"{plan.Root.Name}\" ({toBuild} to build, {parallelism} at a time) with {plan.OperatorClass}"),
            settings.PrecludeHighfreqKmer
                ? "High-frequency k-mers of the shared cache are left out of the indexes."
                : "High-frequency k-mer exclusion is off (kmersearch.preclude_highfreq_kmer).",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        LogStarted(_logger, context.Job.Id, plan.Root.QualifiedName, leafCount, toBuild, parallelism);

        var builder = new ParallelIndexBuilder(context, _sessions, plan, settings, parallelism);
        IReadOnlyList<ParallelIndexOutcome> outcomes = await builder.BuildAsync(cancellationToken).ConfigureAwait(false);
        List<ParallelIndexOutcome> failed = [.. outcomes.Where(o => !o.Success)];
        if (failed.Count == 0)
        {
            await AttachAsync(context, plan, cancellationToken).ConfigureAwait(false);
            await context.SendNoticeAsync(NoticeLevel.Notice,
                string.Create(CultureInfo.InvariantCulture,
                    $"created index \"{plan.Root.IndexName}\" on \"{plan.Root.Name}\" with the indexes of {leafCount} partitions attached"),
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await context.SendNoticeAsync(NoticeLevel.Warning,
                string.Create(CultureInfo.InvariantCulture,
                    $"{failed.Count} of {leafCount} partition indexes could not be built; index \"{plan.Root.IndexName}\" on \"{plan.Root.Name}\" was not created"),
                "Failed: " + string.Join(", ", failed.Select(f => f.Partition.Name)) + ". The partition indexes that were built are kept (each was committed on its own).",
                "Fix what error_message reports and call kmersearch_parallel_create_index again: it keeps the partition indexes already built and builds the rest.",
                cancellationToken).ConfigureAwait(false);
        }

        LogEnded(_logger, context.Job.Id, plan.Root.QualifiedName, outcomes.Count - failed.Count, failed.Count);
        return outcomes.Select(o => o.ToRow()).ToList();
    }

    /// <summary>Creates the partitioned indexes <c>ON ONLY</c> and attaches every partition's index, deepest first, in the caller's transaction.</summary>
    private static async Task AttachAsync(HandlerContext context, ParallelIndexPlan plan, CancellationToken cancellationToken)
    {
        await context.ExecuteSpiAsync(plan.CreateOnlyStatement(plan.Root), readOnly: false, cancellationToken).ConfigureAwait(false);
        foreach (ParallelIndexNode partitioned in plan.Intermediates)
        {
            await context.ExecuteSpiAsync(plan.CreateOnlyStatement(partitioned), readOnly: false, cancellationToken).ConfigureAwait(false);
        }

        foreach (ParallelIndexNode child in plan.Nodes.Where(n => n.ParentOid is not null).OrderByDescending(n => n.Level).ThenBy(n => n.IsLeaf ? 0 : 1))
        {
            await context.ExecuteSpiAsync(plan.AttachStatement(child), readOnly: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// With preclusion on, the builds need the shared high-frequency cache of
    /// this table and column under the current settings. The extension shows
    /// that only where it enforces it, in its CREATE INDEX hook, so ask the
    /// hook: on a session with the caller's settings, inside a transaction
    /// block, <c>CREATE INDEX CONCURRENTLY</c> on the table. The hook's check
    /// runs first (55000 when the cache does not fit); when it passes,
    /// PostgreSQL refuses CONCURRENTLY in a transaction block (25001) before
    /// taking any lock or creating anything.
    /// </summary>
    private async Task RequireSharedCacheAsync(HandlerContext context, ParallelIndexPlan plan, string table, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection session = await _sessions.OpenAsCallerAsync(context, importSnapshot: false, cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await session.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var probe = new NpgsqlCommand(
            $"CREATE INDEX CONCURRENTLY {ParallelIndexNames.Quote("kmersearch_parallel_create_index_probe")} ON {plan.Root.QualifiedName} {plan.IndexDefinition}",
            session,
            transaction);
        try
        {
            await probe.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == ActiveSqlTransaction)
        {
            return;
        }
        catch (PostgresException ex) when (ex.SqlState == NotInPrerequisiteState)
        {
            string quotedTable = table.Replace("'", "''", StringComparison.Ordinal);
            string quotedColumn = plan.Column.Replace("'", "''", StringComparison.Ordinal);
            throw new CallFailedException(
                NotInPrerequisiteState,
                $"the shared high-frequency k-mer cache is not loaded for {plan.Root.Name}.{plan.Column} with the current settings",
                $"kmersearch.preclude_highfreq_kmer is on, so every partition's index must leave out the high-frequency k-mers of {plan.Root.Name}.{plan.Column}; the build sessions see only the shared cache. ({ex.MessageText})",
                $"Run SELECT kmersearch_parallel_highfreq_kmer_cache_load('{quotedTable}', '{quotedColumn}') first, or turn kmersearch.preclude_highfreq_kmer off.");
        }

        // Not reached: CONCURRENTLY is refused inside a transaction block. Undo whatever happened.
        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Job {Job}: parallel index build on {Table}: {Leaves} leaf partitions, {ToBuild} to build, {Parallelism} sessions")]
    private static partial void LogStarted(ILogger logger, long job, string table, int leaves, int toBuild, int parallelism);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Job {Job}: parallel index build on {Table} done: {Succeeded} partitions indexed, {Failed} failed")]
    private static partial void LogEnded(ILogger logger, long job, string table, int succeeded, int failed);
}
