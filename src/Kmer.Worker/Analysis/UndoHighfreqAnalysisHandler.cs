using Microsoft.Extensions.Logging;

namespace Kmer.Worker.Analysis;

/// <summary>
/// <c>kmersearch_undo_highfreq_analysis(table_name, column_name)</c>: deletes
/// every analysis of the table and column (all k and b) from
/// <c>kmersearch_highfreq_kmer</c>, <c>kmersearch_highfreq_kmer_meta</c> and
/// <c>kmersearch_gin_index_meta</c>, in the caller's transaction, and returns
/// the analyses and keys deleted and 64 bytes per key as the storage freed.
/// </summary>
/// <remarks>
/// The table argument is resolved as by the analysis (OID, exact visible
/// name, SQL name); the column argument is used as given, not checked
/// against the table (spec highfreq-analysis.md §2). Caches are not touched.
/// </remarks>
[BridgedFunction(
    HandlerName,
    Parameters = "table_name text, column_name text",
    Returns = "kmersearch_drop_result",
    Strict = true,
    Comment = "Removes every high-frequency k-mer analysis of the table and column (all kmer_size and occur_bitlen values) from kmersearch_highfreq_kmer, "
        + "kmersearch_highfreq_kmer_meta and kmersearch_gin_index_meta, in the caller's transaction; returns the number of analyses and of keys removed "
        + "and an estimate of the storage freed (64 bytes per key). Loaded caches are not changed.")]
public sealed class UndoHighfreqAnalysisHandler : ICallHandler
{
    /// <summary>The handler name the SQL function's body names.</summary>
    public const string HandlerName = "kmersearch_undo_highfreq_analysis";

    /// <summary>The storage estimate per deleted key, in bytes.</summary>
    public const long BytesPerKey = 64;

    private readonly ILogger<UndoHighfreqAnalysisHandler> _logger;

    /// <summary>Creates the handler.</summary>
    public UndoHighfreqAnalysisHandler(ILogger<UndoHighfreqAnalysisHandler> logger) => _logger = logger;

    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        string tableArgument = HighfreqAnalysisHandler.TextArgument(context, 0, "table_name");
        string column = HighfreqAnalysisHandler.TextArgument(context, 1, "column_name");
        ExtensionInfo extension = await AnalysisCatalog.ExtensionAsync(context, cancellationToken).ConfigureAwait(false);
        ResolvedTable table = await AnalysisCatalog.ResolveTableAsync(context, tableArgument, cancellationToken).ConfigureAwait(false);
        (long analyses, long keys) = await AnalysisCatalog.UndoAsync(context, extension, table, column, cancellationToken).ConfigureAwait(false);
        Log.AnalysisUndone(_logger, context.Job.Id, analyses, keys, table.Display, column);
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["dropped_analyses"] = Math.Min(analyses, int.MaxValue),
            ["dropped_highfreq_kmers"] = Math.Min(keys, int.MaxValue),
            ["freed_storage_bytes"] = BytesPerKey * keys,
        };
    }
}
