// kmersearch_perform_highfreq_analysis: which keys of a DNA column appear in
// too many rows.
//
// The call is a sequence of short SPI statements in the caller's transaction
// around one long parallel scan on the pool's own sessions:
//
//  1. SPI, read-only: find the extension's schema and types, resolve the table
//     and column arguments, list the leaves (the table, or every leaf
//     partition) with their sizes, refuse a table this transaction holds in
//     ACCESS EXCLUSIVE mode; plan block ranges and the number of readers.
//  2. Sessions: open the readers' sessions (the caller's role, settings and
//     exported snapshot), each taking ACCESS SHARE on the table — before the
//     caller's EXCLUSIVE lock, so no lock request can queue between them.
//  3. SPI: LOCK TABLE … IN EXCLUSIVE MODE (held to the caller's transaction
//     end); refuse when the analysis exists (DECISIONS Q9, a fresh snapshot
//     in READ COMMITTED); list the leaves again, now stable, and cut them into
//     the block ranges the readers work through.
//  4. Scan (KeyScan): the readers take ranges from one queue, read them with
//     TID range scans through binary COPY, and count keys into one KeyCounter
//     (spilling into the job's spill directory beyond the memory limit). INFO
//     progress at most every few seconds.
//  5. Select the keys counted in more than the threshold's rows, then SPI:
//     upsert them in batches, then the meta row. Nothing is written before
//     the scan completed, so an error or a cancel before that writes nothing,
//     and an error after it aborts the caller's transaction.
using System.Diagnostics;
using System.Globalization;
using Kmer.Core.Counting;
using Kmer.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Kmer.Worker.Analysis;

/// <summary>
/// <c>kmersearch_perform_highfreq_analysis(table_name, column_name)</c>:
/// counts, for every n-gram key of the column under the current k and b, the
/// rows containing it, and records the keys above the threshold in
/// <c>kmersearch_highfreq_kmer</c> and the analysis in
/// <c>kmersearch_highfreq_kmer_meta</c> (docs/analysis.md).
/// </summary>
[BridgedFunction(
    HandlerName,
    Parameters = "table_name text, column_name text",
    Returns = "kmersearch_analysis_result",
    Strict = true,
    Comment = "Finds the high-frequency k-mers of a DNA2/DNA4 column under the current kmer_size and occur_bitlen: the n-gram keys found in more than "
        + "min(trunc(rows × kmersearch.max_appearance_rate), kmersearch.max_appearance_nrow if > 0) rows; records them in kmersearch_highfreq_kmer and "
        + "the analysis in kmersearch_highfreq_kmer_meta, in the caller's transaction, and returns the row count, the number of keys, the parallel readers used, "
        + "the rate and the effective threshold. The table is locked in EXCLUSIVE mode until the transaction ends.")]
public sealed class HighfreqAnalysisHandler : ICallHandler
{
    /// <summary>The handler name the SQL function's body names.</summary>
    public const string HandlerName = "kmersearch_perform_highfreq_analysis";

    /// <summary>Keys per SPI insert.</summary>
    internal const int WriteBatchSize = 50_000;

    /// <summary>The share of the job's progress given to the scan; selecting and writing get the rest.</summary>
    private const double ScanShare = 0.9;

    private static readonly TimeSpan ProgressTick = TimeSpan.FromMilliseconds(250);

    /// <summary>How long after an analysis its garbage is collected.</summary>
    private static readonly TimeSpan CollectAfter = TimeSpan.FromMilliseconds(50);

    /// <summary>How often, at most, an INFO reports the scan's progress.</summary>
    private static readonly TimeSpan NoticeInterval = TimeSpan.FromSeconds(3);

    private readonly DatabaseSessions _sessions;
    private readonly SpillDirectory _spill;
    private readonly WorkerOptions _options;
    private readonly ILogger<HighfreqAnalysisHandler> _logger;

    /// <summary>Creates the handler.</summary>
    public HighfreqAnalysisHandler(DatabaseSessions sessions, SpillDirectory spill, IOptions<WorkerOptions> options, ILogger<HighfreqAnalysisHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sessions = sessions;
        _spill = spill;
        _options = options.Value;
        _logger = logger;
    }


    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            return await AnalyseAsync(context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The counting arrays and tables (up to the memory limit) are
            // garbage now: collected, their memory is what the next analysis
            // reuses, so the resident size stays near one analysis's peak
            // instead of growing with a series of them. (A compacting
            // collection that returns it to the system made the next k = 16
            // analysis ~25 % slower, faulting the pages in again.) Shortly
            // after the result has gone: a blocking collection pauses every
            // thread, the one sending the result too.
            long job = context.Job.Id;
            _ = Task.Delay(CollectAfter, CancellationToken.None).ContinueWith(
                _ =>
                {
                    long collecting = Stopwatch.GetTimestamp();
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
                    Log.AnalysisCollected(_logger, job, Stopwatch.GetElapsedTime(collecting).TotalMilliseconds);
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }
    }

    private async ValueTask<object?> AnalyseAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string tableArgument = TextArgument(context, 0, "table_name");
        string columnArgument = TextArgument(context, 1, "column_name");
        AnalysisSettings settings = AnalysisSettings.FromContext(context.Call.Context, _options.AnalysisMemoryLimitMB);

        // 1. What to analyse, and how many readers.
        ExtensionInfo extension = await AnalysisCatalog.ExtensionAsync(context, cancellationToken).ConfigureAwait(false);
        ResolvedTable table = await AnalysisCatalog.ResolveTableAsync(context, tableArgument, cancellationToken).ConfigureAwait(false);
        AnalysisCatalog.CheckScannable(table);
        ResolvedColumn column = await AnalysisCatalog.ResolveColumnAsync(context, table, columnArgument, extension, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Leaf> leaves = await AnalysisCatalog.ListLeavesAsync(context, table, column, extension, cancellationToken).ConfigureAwait(false);
        await AnalysisCatalog.CheckNotHeldExclusivelyAsync(context, table, leaves, cancellationToken).ConfigureAwait(false);
        int readerCount = Math.Max(1, Math.Min(
            Math.Min(settings.MaxParallelMaintenanceWorkers, _sessions.MaxParallelism(context.Call.Context)),
            RangePlanner.Plan(leaves, settings.BatchSize).Count));

        // 2. The counter, and the readers' sessions, locked in before the caller's lock.
        double resolvedMs = clock.Elapsed.TotalMilliseconds;
        using SpillLease spill = _spill.CreateForJob(context.Job, context.Call.Context);
        var countingOptions = new KeyCountingOptions(settings.Kmer.TotalBits, settings.MemoryLimitBytes, spill.Path, settings.Kmer.OccurBitlen);
        if (CountingMemory.PrepareFor(countingOptions))
        {
            Log.AnalysisCompacted(_logger, context.Job.Id);
        }

        using KeyCounter counter = KeyCounter.Create(countingOptions);
        double counterMs = clock.Elapsed.TotalMilliseconds;
        List<NpgsqlConnection> readers = await ReaderSessions.OpenAsync(_sessions, context, table, readerCount, cancellationToken).ConfigureAwait(false);
        double sessionsMs = clock.Elapsed.TotalMilliseconds;
        double plannedMs = 0;
        KeyScan scan;
        Task? scanning = null;
        using var stopScan = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            // 3. The caller's lock, the Q9 check, the final plan.
            await AnalysisCatalog.LockAsync(context, table, cancellationToken).ConfigureAwait(false);
            if (await AnalysisCatalog.AnalysisExistsAsync(context, extension, table, column, settings.Kmer, cancellationToken).ConfigureAwait(false))
            {
                throw new CallFailedException(
                    AnalysisCatalog.DuplicateObject,
                    $"a high-frequency analysis of {table.Display}.{column.Name} with kmer_size {settings.Kmer.KmerSize} and occur_bitlen {settings.Kmer.OccurBitlen} already exists",
                    "Nothing was changed.",
                    $"Run kmersearch_undo_highfreq_analysis('{tableArgument.Replace("'", "''", StringComparison.Ordinal)}', '{column.Name.Replace("'", "''", StringComparison.Ordinal)}') first to replace it.");
            }

            leaves = await AnalysisCatalog.ListLeavesAsync(context, table, column, extension, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<BlockRange> ranges = RangePlanner.Plan(leaves, settings.BatchSize);
            long blocks = leaves.Sum(l => l.Blocks);
            Log.AnalysisStarted(_logger, context.Job.Id, table.Display, column.Name, settings.Kmer.ToString(), leaves.Count, blocks, ranges.Count, readers.Count, settings.MemoryLimitMB);
            await InfoAsync(context, string.Create(CultureInfo.InvariantCulture,
                $"high-frequency k-mer analysis of {table.Display}.{column.Name} ({settings.Kmer}): {Plural(leaves.Count, "relation")}, {Plural(blocks, "block")}, "
                + $"{Plural(ranges.Count, "range")} of about {settings.BatchSize} rows, {Plural(readers.Count, "reader")}, about {RangePlanner.EstimateRows(leaves)} rows"),
                cancellationToken).ConfigureAwait(false);

            // 4. The scan.
            plannedMs = clock.Elapsed.TotalMilliseconds;
            context.ReportProgress(0);
            scan = new KeyScan(ranges, column, settings.Kmer);
            scanning = scan.RunAsync(readers, counter, stopScan.Token);
            await ReportScanAsync(context, scan, scanning, table, column, cancellationToken).ConfigureAwait(false);
            await scanning.ConfigureAwait(false);
        }
        finally
        {
            if (scanning is { IsCompleted: false })
            {
                // Reporting failed: stop the readers before their sessions and the counter go.
                await stopScan.CancelAsync().ConfigureAwait(false);
                await scanning.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
            }

            await ReaderSessions.CloseAsync(readers).ConfigureAwait(false);
        }

        // 5. Select and write.
        double scannedMs = clock.Elapsed.TotalMilliseconds;
        long totalRows = scan.RowsRead;
        long threshold = HighfreqThreshold.Compute(totalRows, settings.MaxAppearanceRate, settings.MaxAppearanceNrow);
        Log.AnalysisScanned(_logger, context.Job.Id, totalRows, scan.ReadersUsed, clock.Elapsed.TotalSeconds, counter.PeakMemoryBytes, counter.SpillFileCount);
        await InfoAsync(context, string.Create(CultureInfo.InvariantCulture,
            $"high-frequency k-mer analysis of {table.Display}.{column.Name}: scan done, {Plural(totalRows, "row")} read by {Plural(scan.ReadersUsed, "reader")} "
            + $"(counting peaked at {counter.PeakMemoryBytes / (1024.0 * 1024.0):0.0} MB, {Plural(counter.SpillFileCount, "spill file")}); "
            + $"selecting the keys found in more than {Plural(threshold, "row")}"),
            cancellationToken).ConfigureAwait(false);
        context.ReportProgress(ScanShare);
        IReadOnlyList<KeyCount> selected = await Task.Run(() => counter.SelectAbove(threshold, cancellationToken), cancellationToken).ConfigureAwait(false);

        await InfoAsync(context, string.Create(CultureInfo.InvariantCulture,
            $"high-frequency k-mer analysis of {table.Display}.{column.Name}: writing {Plural(selected.Count, "high-frequency key")}"),
            cancellationToken).ConfigureAwait(false);
        double selectedMs = clock.Elapsed.TotalMilliseconds;
        var writing = Stopwatch.StartNew();
        await WriteKeysAsync(context, extension, table, column, settings, selected, cancellationToken).ConfigureAwait(false);
        await AnalysisCatalog.WriteMetaAsync(context, extension, table, column, settings, cancellationToken).ConfigureAwait(false);
        context.ReportProgress(1);
        Log.AnalysisWritten(_logger, context.Job.Id, selected.Count, table.Display, column.Name, threshold, writing.Elapsed.TotalSeconds);
        Log.AnalysisTimeline(_logger, context.Job.Id, resolvedMs, counterMs, sessionsMs, plannedMs, scannedMs, selectedMs, clock.Elapsed.TotalMilliseconds);
        await InfoAsync(context, string.Create(CultureInfo.InvariantCulture,
            $"high-frequency k-mer analysis of {table.Display}.{column.Name} done: {Plural(selected.Count, "high-frequency key")} of {Plural(totalRows, "row")} written "
            + $"in {clock.Elapsed.TotalSeconds:0.0} s"),
            cancellationToken).ConfigureAwait(false);

        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["total_rows"] = totalRows,
            ["highfreq_kmers_count"] = (long)selected.Count,
            ["parallel_workers_used"] = (long)scan.ReadersUsed,
            ["max_appearance_rate_used"] = settings.MaxAppearanceRate,

            // The column is an integer; a threshold above its range (over 2^31 rows) is shown as its largest value.
            ["max_appearance_nrow_used"] = Math.Min(threshold, int.MaxValue),
        };
    }

    /// <summary>The call's text argument <paramref name="index"/> (the function is STRICT, so it is never NULL).</summary>
    internal static string TextArgument(HandlerContext context, int index, string name) =>
        index < context.Call.Args.Count && context.Call.Args[index] is string text
            ? text
            : throw new CallFailedException(
                AnalysisSettings.InvalidParameterValue,
                string.Create(CultureInfo.InvariantCulture, $"argument {index + 1} ({name}) of {context.Call.Handler} must be text"));

    private static async Task WriteKeysAsync(
        HandlerContext context,
        ExtensionInfo extension,
        ResolvedTable table,
        ResolvedColumn column,
        AnalysisSettings settings,
        IReadOnlyList<KeyCount> selected,
        CancellationToken cancellationToken)
    {
        for (int start = 0; start < selected.Count; start += WriteBatchSize)
        {
            int count = Math.Min(WriteBatchSize, selected.Count - start);
            long[] keys = new long[count];
            long[] counts = new long[count];
            for (int i = 0; i < count; i++)
            {
                KeyCount entry = selected[start + i];

                // The bigint with the key's 64 bits: what the extension reads back as uint64.
                keys[i] = unchecked((long)entry.Key);
                counts[i] = entry.Count;
            }

            await AnalysisCatalog.WriteKeysAsync(context, extension, table, column, settings.Kmer, keys, counts, cancellationToken).ConfigureAwait(false);
            context.ReportProgress(ScanShare + ((1 - ScanShare) * (start + count) / Math.Max(1, selected.Count)));
        }
    }

    /// <summary>Updates the job's progress while the scan runs, and sends an INFO at most every <see cref="NoticeInterval"/>.</summary>
    private static async Task ReportScanAsync(
        HandlerContext context, KeyScan scan, Task scanning, ResolvedTable table, ResolvedColumn column, CancellationToken cancellationToken)
    {
        var sinceNotice = Stopwatch.StartNew();
        while (!scanning.IsCompleted)
        {
            // Not cancelled with the call: the loop ends when the scan does, which a cancel ends at once.
            await Task.WhenAny(scanning, Task.Delay(ProgressTick, CancellationToken.None)).ConfigureAwait(false);
            int done = scan.RangesDone;
            context.ReportProgress(ScanShare * done / Math.Max(1, scan.TotalRanges));
            if (!scanning.IsCompleted && !cancellationToken.IsCancellationRequested && sinceNotice.Elapsed >= NoticeInterval)
            {
                sinceNotice.Restart();
                await InfoAsync(context, string.Create(CultureInfo.InvariantCulture,
                    $"high-frequency k-mer analysis of {table.Display}.{column.Name}: {Plural(scan.RowsRead, "row")} read, {done} of {Plural(scan.TotalRanges, "range")} done"),
                    cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static ValueTask InfoAsync(HandlerContext context, string message, CancellationToken cancellationToken) =>
        context.SendNoticeAsync(NoticeLevel.Info, message, cancellationToken: cancellationToken);

    private static string Plural(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");
}
