using System.Globalization;
using System.Text;

namespace Kmer.Worker.Partitioning;

/// <summary>
/// Names and SQL fragments of <c>kmersearch_parallel_create_index</c>: index
/// names (<c>&lt;relation&gt;_&lt;column&gt;_gin_idx</c>, cut to
/// PostgreSQL's 63-byte identifier limit at a UTF-8 character boundary),
/// quoting, and the GIN operator class width that <c>2k + b</c> calls for.
/// </summary>
public static class ParallelIndexNames
{
    /// <summary>NAMEDATALEN - 1: the longest identifier PostgreSQL keeps, in bytes.</summary>
    public const int MaxIdentifierBytes = 63;

    /// <summary>The suffix of every index the function creates.</summary>
    public const string Suffix = "_gin_idx";

    /// <summary>
    /// The index name for <paramref name="relation"/> and <paramref name="column"/>:
    /// <c>relation_column_gin_idx</c>, truncated to <see cref="MaxIdentifierBytes"/>
    /// bytes of UTF-8 without splitting a character (as PostgreSQL truncates
    /// identifiers, so the name is the one the server would store).
    /// </summary>
    public static string IndexName(string relation, string column)
    {
        ArgumentException.ThrowIfNullOrEmpty(relation);
        ArgumentException.ThrowIfNullOrEmpty(column);
        return Truncate(relation + "_" + column + Suffix, MaxIdentifierBytes);
    }

    /// <summary>The longest prefix of <paramref name="text"/> that is at most <paramref name="maxBytes"/> bytes of UTF-8 and ends on a character boundary.</summary>
    public static string Truncate(string text, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var result = new StringBuilder();
        int bytes = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            int length = rune.Utf8SequenceLength;
            if (bytes + length > maxBytes)
            {
                break;
            }

            result.Append(rune.ToString());
            bytes += length;
        }

        return result.ToString();
    }

    /// <summary><paramref name="name"/> as an SQL identifier (always double-quoted).</summary>
    public static string Quote(string name) => DatabaseSessions.QuoteIdentifier(name);

    /// <summary><c>"schema"."name"</c>.</summary>
    public static string Qualified(string schema, string name) => Quote(schema) + "." + Quote(name);

    /// <summary>
    /// The key width class of the GIN operator classes for k-mer size
    /// <paramref name="kmerSize"/> and occurrence bits <paramref name="occurBitlen"/>:
    /// <c>int2</c> when <c>2k + b ≤ 16</c>, <c>int4</c> when it is at most 32, else <c>int8</c>.
    /// </summary>
    public static string KeyWidth(int kmerSize, int occurBitlen)
    {
        int bits = (2 * kmerSize) + occurBitlen;
        return bits <= 16 ? "int2" : bits <= 32 ? "int4" : "int8";
    }

    /// <summary>The operator class name for a DNA type (<c>dna2</c> or <c>dna4</c>) and the settings: <c>kmersearch_dna2_gin_ops_int4</c> etc.</summary>
    public static string OperatorClass(string typeName, int kmerSize, int occurBitlen) =>
        string.Create(CultureInfo.InvariantCulture, $"kmersearch_{typeName}_gin_ops_{KeyWidth(kmerSize, occurBitlen)}");
}
