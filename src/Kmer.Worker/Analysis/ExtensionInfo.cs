using Kmer.Core;

namespace Kmer.Worker.Analysis;

/// <summary>Where the extension lives: its schema (which holds the system tables) and the OIDs of its DNA types.</summary>
/// <param name="Schema">The extension's schema.</param>
/// <param name="Dna2Oid">The OID of <c>dna2</c>.</param>
/// <param name="Dna4Oid">The OID of <c>dna4</c>.</param>
internal sealed record ExtensionInfo(string Schema, long Dna2Oid, long Dna4Oid)
{
    /// <summary>The system table <paramref name="table"/> of the extension, quoted and schema-qualified.</summary>
    public string Table(string table) => DatabaseSessions.QuoteIdentifier(Schema) + "." + DatabaseSessions.QuoteIdentifier(table);

    /// <summary>The alphabet of the type <paramref name="typeOid"/>, or null when it is neither <c>dna2</c> nor <c>dna4</c>.</summary>
    public DnaAlphabet? AlphabetOf(long typeOid) =>
        typeOid == Dna2Oid ? DnaAlphabet.Dna2 : typeOid == Dna4Oid ? DnaAlphabet.Dna4 : null;
}
