using System.Runtime.CompilerServices;

// The counting tests drive a dense counter past 2^32 rows per key through KeyCounter.AddDense.
[assembly: InternalsVisibleTo("Kmer.Core.Tests")]
