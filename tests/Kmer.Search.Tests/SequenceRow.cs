using Kmer.Core;

namespace Kmer.Search.Tests;

/// <summary>
/// One generated row of the search table: the texts as written and their
/// packed forms (null for SQL NULL).
/// </summary>
internal sealed record SequenceRow(int Id, string? Dna2Text, PackedDna? Dna2, string? Dna4Text, PackedDna? Dna4)
{
    public static SequenceRow Create(int id, string? dna2Text, string? dna4Text) => new(
        id,
        dna2Text,
        dna2Text is null ? null : DnaCodec.Encode(DnaAlphabet.Dna2, dna2Text),
        dna4Text,
        dna4Text is null ? null : DnaCodec.Encode(DnaAlphabet.Dna4, dna4Text));
}
