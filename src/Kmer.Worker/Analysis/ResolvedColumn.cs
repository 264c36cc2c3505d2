using Kmer.Core;

namespace Kmer.Worker.Analysis;

/// <summary>The analysed column.</summary>
/// <param name="Name">Its name (the one written to the system tables).</param>
/// <param name="Alphabet">DNA2 or DNA4.</param>
internal sealed record ResolvedColumn(string Name, DnaAlphabet Alphabet);
