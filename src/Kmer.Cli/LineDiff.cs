using System.Text;

namespace Kmer.Cli;

/// <summary>
/// A short unified diff of two texts, line by line (longest common
/// subsequence, three lines of context), for <c>kmer-cli gen-sql --check</c>
/// and the drift test's failure message. Long diffs are cut off.
/// </summary>
public static class LineDiff
{
    private const int Context = 3;

    // Above this many cells the middle part is shown as replaced wholesale instead of diffed.
    private const long MaxCells = 4_000_000;

    /// <summary>
    /// The diff from <paramref name="oldText"/> to <paramref name="newText"/>
    /// with <c>---</c>/<c>+++</c> headers and <c>@@</c> hunks, at most
    /// <paramref name="maxLines"/> hunk lines; empty when the texts are equal.
    /// </summary>
    public static string Unified(string oldText, string newText, string oldLabel, string newLabel, int maxLines = 40)
    {
        ArgumentNullException.ThrowIfNull(oldText);
        ArgumentNullException.ThrowIfNull(newText);
        if (string.Equals(oldText, newText, StringComparison.Ordinal))
        {
            return "";
        }

        var output = new StringBuilder();
        output.Append("--- ").Append(oldLabel).Append('\n').Append("+++ ").Append(newLabel).Append('\n');
        List<Edit> edits = Edits(Lines(oldText), Lines(newText));
        List<string> body = [];
        foreach ((int start, int end) in Hunks(edits))
        {
            body.Add(Header(edits, start, end));
            body.AddRange(edits.Skip(start).Take(end - start).Select(e => e.Op + e.Text));
        }

        foreach (string line in body.Take(maxLines))
        {
            output.Append(line).Append('\n');
        }

        if (body.Count > maxLines)
        {
            output.Append("… ").Append(body.Count - maxLines).Append(" more diff lines\n");
        }

        if (body.Count == 0)
        {
            output.Append("(the lines are equal; only the final newline differs)\n");
        }

        if (oldText.Contains('\r', StringComparison.Ordinal) != newText.Contains('\r', StringComparison.Ordinal))
        {
            output.Append("(one side has CR characters: CRLF against LF line endings)\n");
        }

        return output.ToString();
    }

    private readonly record struct Edit(char Op, string Text, int OldBefore, int NewBefore);

    private static string[] Lines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        string[] lines = text.Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    private static List<Edit> Edits(string[] a, string[] b)
    {
        int prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix])
        {
            prefix++;
        }

        int suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[^(suffix + 1)] == b[^(suffix + 1)])
        {
            suffix++;
        }

        List<Edit> edits = [];
        int i = 0;
        int j = 0;
        void Keep()
        {
            edits.Add(new Edit(' ', a[i], i, j));
            i++;
            j++;
        }

        void Delete()
        {
            edits.Add(new Edit('-', a[i], i, j));
            i++;
        }

        void Insert()
        {
            edits.Add(new Edit('+', b[j], i, j));
            j++;
        }

        while (i < prefix)
        {
            Keep();
        }

        int n = a.Length - prefix - suffix;
        int m = b.Length - prefix - suffix;
        if ((long)(n + 1) * (m + 1) > MaxCells)
        {
            while (i < prefix + n)
            {
                Delete();
            }

            while (j < prefix + m)
            {
                Insert();
            }
        }
        else
        {
            // lcs[x, y]: the longest common subsequence of the middle parts from x and y on.
            int[,] lcs = new int[n + 1, m + 1];
            for (int x = n - 1; x >= 0; x--)
            {
                for (int y = m - 1; y >= 0; y--)
                {
                    lcs[x, y] = a[prefix + x] == b[prefix + y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
                }
            }

            while (i < prefix + n || j < prefix + m)
            {
                int x = i - prefix;
                int y = j - prefix;
                if (x < n && y < m && a[i] == b[j])
                {
                    Keep();
                }
                else if (y >= m || (x < n && lcs[x + 1, y] >= lcs[x, y + 1]))
                {
                    Delete();
                }
                else
                {
                    Insert();
                }
            }
        }

        while (i < a.Length)
        {
            Keep();
        }

        return edits;
    }

    // Ranges [start, end) of edits: each change with up to three lines of context, overlapping ranges merged.
    private static List<(int Start, int End)> Hunks(List<Edit> edits)
    {
        List<(int Start, int End)> hunks = [];
        for (int k = 0; k < edits.Count; k++)
        {
            if (edits[k].Op == ' ')
            {
                continue;
            }

            int start = Math.Max(0, k - Context);
            int end = Math.Min(edits.Count, k + Context + 1);
            if (hunks.Count > 0 && start <= hunks[^1].End)
            {
                hunks[^1] = (hunks[^1].Start, end);
            }
            else
            {
                hunks.Add((start, end));
            }
        }

        return hunks;
    }

    private static string Header(List<Edit> edits, int start, int end)
    {
        IEnumerable<Edit> hunk = edits.Skip(start).Take(end - start);
        int oldCount = hunk.Count(e => e.Op != '+');
        int newCount = hunk.Count(e => e.Op != '-');
        int oldStart = edits[start].OldBefore + (oldCount > 0 ? 1 : 0);
        int newStart = edits[start].NewBefore + (newCount > 0 ? 1 : 0);
        return $"@@ -{oldStart},{oldCount} +{newStart},{newCount} @@";
    }
}
