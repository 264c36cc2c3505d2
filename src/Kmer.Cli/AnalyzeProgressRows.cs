using System.Globalization;
using System.Text.RegularExpressions;

namespace Kmer.Cli;

/// <summary>
/// Reads row counts out of the analysis's INFO messages, whose wording the
/// spec leaves open: "<c>N of M rows</c>" or "<c>N/M rows</c>" gives rows
/// processed and the total; "<c>N rows read</c>" (or scanned, counted,
/// processed), rows processed; "<c>about M rows</c>" or "<c>of M rows</c>",
/// the total (an estimate from the planner's statistics at the start).
/// Messages about writing results (their counts are keys, not table rows)
/// are skipped.
/// </summary>
public static partial class AnalyzeProgressRows
{
    /// <summary>Row counts in <paramref name="message"/>: processed (or null) and total (or null); false when it has none.</summary>
    public static bool TryParse(string message, out long? processed, out long? total)
    {
        ArgumentNullException.ThrowIfNull(message);
        processed = null;
        total = null;
        if (WritingPattern().IsMatch(message))
        {
            return false;
        }

        if (PartPattern().Match(message) is { Success: true } part)
        {
            processed = Number(part.Groups[1].Value);
            total = Number(part.Groups[2].Value);
        }
        else
        {
            if (ProcessedPattern().Match(message) is { Success: true } done)
            {
                processed = Number(done.Groups[1].Value);
            }

            if (TotalPattern().Match(message) is { Success: true } whole)
            {
                total = Number(whole.Groups[1].Value);
            }
        }

        return processed is not null || total is not null;
    }

    private static long? Number(string text) =>
        long.TryParse(text.Replace(",", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal),
            NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;

    [GeneratedRegex(@"\b(\d[\d,_]*)\s*(?:of|/)\s*(\d[\d,_]*)\s+rows\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PartPattern();

    [GeneratedRegex(@"\b(\d[\d,_]*)\s+rows\s+(?:read|scanned|counted|processed)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ProcessedPattern();

    // The last one: "19 ranges of about 10000 rows, 2 readers, about 187000 rows".
    [GeneratedRegex(@"\b(?:(?:about|of)\s+|total(?:_rows)?\s*[:=]?\s*)(\d[\d,_]*)\s+rows\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.RightToLeft)]
    private static partial Regex TotalPattern();

    [GeneratedRegex(@"\b(writ(e|es|ing|ten)|wrote|insert(ed|ing)?|upsert(ed|ing)?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WritingPattern();
}
