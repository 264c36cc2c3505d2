using System.Text;

namespace Kmer.Worker.Analysis;

/// <summary>
/// A relation name as SQL writes it: one to three dot-separated identifiers
/// (<c>table</c>, <c>schema.table</c>, <c>database.schema.table</c>), each
/// either unquoted (ASCII letters folded to lower case) or in double quotes
/// (kept as written, <c>""</c> standing for one quote), white space allowed
/// around them, each truncated to 63 bytes as PostgreSQL truncates
/// identifiers. Parsed here rather than by <c>to_regclass</c> so that bad
/// syntax is "no such table" (42P01) rather than a syntax error.
/// </summary>
internal static class QualifiedName
{
    /// <summary>The longest identifier PostgreSQL keeps, in bytes (NAMEDATALEN − 1).</summary>
    public const int MaxIdentifierBytes = 63;

    /// <summary>Splits <paramref name="text"/> into its identifiers; false when it is not a valid name of one to three parts.</summary>
    public static bool TryParse(string text, out IReadOnlyList<string> parts)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<string>(3);
        parts = result;
        int i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                return false;
            }

            var identifier = new StringBuilder();
            if (text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        return false;
                    }

                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            identifier.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    identifier.Append(text[i++]);
                }

                if (identifier.Length == 0)
                {
                    return false;
                }
            }
            else
            {
                while (i < text.Length && text[i] != '.' && !char.IsWhiteSpace(text[i]) && text[i] != '"')
                {
                    char c = text[i++];
                    identifier.Append(c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c);
                }

                if (identifier.Length == 0)
                {
                    return false;
                }
            }

            result.Add(Truncate(identifier.ToString()));
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                return result.Count <= 3;
            }

            if (text[i] != '.' || result.Count == 3)
            {
                return false;
            }

            i++;
        }
    }

    /// <summary>Cuts <paramref name="identifier"/> to at most <see cref="MaxIdentifierBytes"/> UTF-8 bytes, never inside a character.</summary>
    public static string Truncate(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (Encoding.UTF8.GetByteCount(identifier) <= MaxIdentifierBytes)
        {
            return identifier;
        }

        int bytes = 0;
        int end = 0;
        foreach (Rune rune in identifier.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxIdentifierBytes)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }

        return identifier[..end];
    }
}
