using System.Text;

namespace Kmer.Core.Tests;

/// <summary>
/// Reads the PostgreSQL COPY text format used by the shared vector files:
/// a header line, tab-separated fields, and the escapes \t \n \r \\ inside a
/// field. Any other backslash sequence (including \N, NULL) is rejected so a
/// mistake in a vector file fails loudly instead of being read differently
/// from the way the server's COPY would read it.
/// </summary>
internal static class CopyTextReader
{
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> ReadFile(string path)
    {
        // File.ReadAllText throws for a missing file: a vector file that is not
        // there must fail the tests, never yield zero cases.
        string text = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        return Parse(text, Path.GetFileName(path));
    }

    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Parse(string text, string sourceName)
    {
        if (text.EndsWith('\n'))
        {
            text = text[..^1];
        }

        string[] lines = text.Split('\n');
        if (lines.Length == 0 || lines[0].Length == 0)
        {
            throw new InvalidDataException($"{sourceName}: missing header line");
        }

        string[] header = lines[0].Split('\t').Select(field => Unescape(field, sourceName, 1)).ToArray();
        var rows = new List<IReadOnlyDictionary<string, string>>();
        for (int n = 1; n < lines.Length; n++)
        {
            string[] fields = lines[n].Split('\t');
            if (fields.Length != header.Length)
            {
                throw new InvalidDataException($"{sourceName}:{n + 1}: {fields.Length} fields, header has {header.Length}");
            }

            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int f = 0; f < fields.Length; f++)
            {
                row.Add(header[f], Unescape(fields[f], sourceName, n + 1));
            }

            rows.Add(row);
        }

        return rows;
    }

    private static string Unescape(string field, string sourceName, int lineNumber)
    {
        if (field.Contains('\r'))
        {
            throw new InvalidDataException($"{sourceName}:{lineNumber}: raw carriage return (write \\r)");
        }

        if (!field.Contains('\\'))
        {
            return field;
        }

        var result = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            char c = field[i];
            if (c != '\\')
            {
                result.Append(c);
                continue;
            }

            if (i + 1 == field.Length)
            {
                throw new InvalidDataException($"{sourceName}:{lineNumber}: backslash at end of field");
            }

            char escaped = field[++i];
            result.Append(escaped switch
            {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                '\\' => '\\',
                _ => throw new InvalidDataException($"{sourceName}:{lineNumber}: unsupported escape \\{escaped}"),
            });
        }

        return result.ToString();
    }
}
