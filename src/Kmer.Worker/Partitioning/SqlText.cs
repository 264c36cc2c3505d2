using System.Globalization;
using System.Text;

namespace Kmer.Worker.Partitioning;

/// <summary>
/// Quoting for the statements the partition planner writes. Identifiers are
/// always double-quoted (valid whatever the name: keywords, upper case,
/// spaces, quotes); literals are quoted so that they mean the same with
/// <c>standard_conforming_strings</c> on or off.
/// </summary>
internal static class SqlText
{
    /// <summary>PostgreSQL's identifier limit in bytes (NAMEDATALEN − 1).</summary>
    public const int MaxIdentifierBytes = 63;

    /// <summary><paramref name="name"/> as a quoted identifier.</summary>
    public static string Ident(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary><c>"schema"."name"</c>.</summary>
    public static string Qualified(string schema, string name) => Ident(schema) + "." + Ident(name);

    /// <summary>
    /// <paramref name="text"/> as a string literal: <c>'…'</c> with quotes
    /// doubled, or <c>E'…'</c> with backslashes doubled too when it has any
    /// (as <c>quote_literal</c> does).
    /// </summary>
    public static string Literal(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string quoted = text.Replace("'", "''", StringComparison.Ordinal);
        return text.Contains('\\', StringComparison.Ordinal)
            ? "E'" + quoted.Replace("\\", "\\\\", StringComparison.Ordinal) + "'"
            : "'" + quoted + "'";
    }

    /// <summary>A role as GRANT and REVOKE name it: <c>PUBLIC</c> or the quoted role name.</summary>
    public static string Grantee(string? role) => role is null ? "PUBLIC" : Ident(role);

    /// <summary>
    /// <paramref name="prefix"/> cut (at a character boundary) so that it and
    /// <paramref name="suffix"/> fit in <see cref="MaxIdentifierBytes"/> bytes,
    /// followed by <paramref name="suffix"/>.
    /// </summary>
    public static string FitName(string prefix, string suffix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(suffix);
        int room = MaxIdentifierBytes - Encoding.UTF8.GetByteCount(suffix);
        if (room < 0)
        {
            throw new ArgumentException("The suffix alone is longer than an identifier may be.", nameof(suffix));
        }

        var cut = new StringBuilder();
        int bytes = 0;
        foreach (Rune rune in prefix.EnumerateRunes())
        {
            int length = rune.Utf8SequenceLength;
            if (bytes + length > room)
            {
                break;
            }

            cut.Append(rune.ToString());
            bytes += length;
        }

        return cut.Append(suffix).ToString();
    }

    /// <summary>
    /// Storage parameters (<c>pg_class.reloptions</c> items, <c>name=value</c>)
    /// as a <c>WITH (…)</c> list with every value quoted, or null when there are none.
    /// </summary>
    public static string? WithOptions(IReadOnlyList<string>? options)
    {
        if (options is null || options.Count == 0)
        {
            return null;
        }

        return "WITH (" + string.Join(", ", options.Select(Option)) + ")";
    }

    /// <summary>One <c>name=value</c> option as <c>name = 'value'</c> (names are lower-case keywords; dotted names such as <c>toast.x</c> stay as they are).</summary>
    public static string Option(string option)
    {
        ArgumentNullException.ThrowIfNull(option);
        int equals = option.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            return string.Join('.', option.Split('.').Select(Ident));
        }

        string name = option[..equals];
        return string.Join('.', name.Split('.').Select(Ident)) + " = " + Literal(option[(equals + 1)..]);
    }

    /// <summary>An integer as SQL text.</summary>
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
