namespace Kmer.Worker.Analysis;

/// <summary>A relation whose heap is scanned: the table itself, or one leaf partition of a partitioned table.</summary>
/// <param name="Oid">Its OID.</param>
/// <param name="Schema">Its schema.</param>
/// <param name="Name">Its name.</param>
/// <param name="Blocks">Its size in blocks when it was listed.</param>
/// <param name="RelTuples"><c>pg_class.reltuples</c> (−1 when never vacuumed or analysed).</param>
/// <param name="RelPages"><c>pg_class.relpages</c>.</param>
internal sealed record Leaf(long Oid, string Schema, string Name, long Blocks, double RelTuples, long RelPages)
{
    /// <summary>The quoted, schema-qualified name, for SQL.</summary>
    public string Quoted => DatabaseSessions.QuoteIdentifier(Schema) + "." + DatabaseSessions.QuoteIdentifier(Name);

    /// <summary>Rows per block from the statistics, or null when they say nothing useful.</summary>
    public double? RowsPerBlock => RelPages > 0 && RelTuples > 0 ? RelTuples / RelPages : null;
}
