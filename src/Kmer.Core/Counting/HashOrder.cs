namespace Kmer.Core.Counting;

/// <summary>Orders table entries by hash, and results by key.</summary>
internal readonly struct HashOrder : IComparer<CountSlot>, IComparer<KeyCount>
{
    public int Compare(CountSlot x, CountSlot y) => x.Hash.CompareTo(y.Hash);

    public int Compare(KeyCount x, KeyCount y) => x.Key.CompareTo(y.Key);
}
