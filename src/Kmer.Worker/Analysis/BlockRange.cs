using System.Globalization;

namespace Kmer.Worker.Analysis;

/// <summary>A block range of one leaf: blocks <see cref="FirstBlock"/> up to, not including, <see cref="EndBlock"/> (null: to the end of the relation).</summary>
/// <param name="Leaf">The relation.</param>
/// <param name="FirstBlock">The first block.</param>
/// <param name="EndBlock">The first block after the range, or null for the last range of the leaf.</param>
internal sealed record BlockRange(Leaf Leaf, long FirstBlock, long? EndBlock)
{
    /// <summary>
    /// The binary COPY that reads <paramref name="quotedColumn"/> of every
    /// tuple in the range: a TID range scan of the leaf alone.
    /// </summary>
    public string CopyCommand(string quotedColumn)
    {
        string where = EndBlock is long end
            ? string.Create(CultureInfo.InvariantCulture, $"ctid >= '({FirstBlock},0)'::pg_catalog.tid AND ctid < '({end},0)'::pg_catalog.tid")
            : string.Create(CultureInfo.InvariantCulture, $"ctid >= '({FirstBlock},0)'::pg_catalog.tid");
        return $"COPY (SELECT {quotedColumn} FROM ONLY {Leaf.Quoted} WHERE {where}) TO STDOUT (FORMAT binary)";
    }
}
