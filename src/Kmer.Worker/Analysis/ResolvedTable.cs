namespace Kmer.Worker.Analysis;

/// <summary>A relation the table argument resolved to.</summary>
/// <param name="Oid">Its OID.</param>
/// <param name="Schema">Its schema.</param>
/// <param name="Name">Its name.</param>
/// <param name="Kind"><c>pg_class.relkind</c>.</param>
/// <param name="Persistence"><c>pg_class.relpersistence</c>.</param>
internal sealed record ResolvedTable(long Oid, string Schema, string Name, char Kind, char Persistence)
{
    /// <summary>Whether it is a partitioned table.</summary>
    public bool IsPartitioned => Kind == 'p';

    /// <summary>The quoted, schema-qualified name, for SQL.</summary>
    public string Quoted => DatabaseSessions.QuoteIdentifier(Schema) + "." + DatabaseSessions.QuoteIdentifier(Name);

    /// <summary><c>schema.name</c> for messages.</summary>
    public string Display => Schema + "." + Name;
}
