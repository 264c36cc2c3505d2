namespace Kmer.Cli.Tests;

public sealed class LineDiffTests
{
    [Fact]
    public void Equal_texts_have_no_diff() =>
        Assert.Equal("", LineDiff.Unified("a\nb\n", "a\nb\n", "old", "new"));

    [Fact]
    public void A_changed_line_shows_as_a_hunk_with_three_lines_of_context()
    {
        string old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        string @new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";

        Assert.Equal(
            "--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
            LineDiff.Unified(old, @new, "old", "new"));
    }

    [Fact]
    public void Added_lines_at_the_end_and_an_empty_old_file()
    {
        Assert.Equal("--- old\n+++ new\n@@ -1,1 +1,2 @@\n a\n+b\n", LineDiff.Unified("a\n", "a\nb\n", "old", "new"));
        Assert.Equal("--- old\n+++ new\n@@ -0,0 +1,1 @@\n+a\n", LineDiff.Unified("", "a\n", "old", "new"));
    }

    [Fact]
    public void Far_apart_changes_make_two_hunks()
    {
        string old = string.Join("\n", Enumerable.Range(1, 20)) + "\n";
        string @new = old.Replace("2\n", "two\n", StringComparison.Ordinal).Replace("19\n", "nineteen\n", StringComparison.Ordinal);

        string diff = LineDiff.Unified(old, @new, "old", "new");

        Assert.Equal(2, diff.Split('\n').Count(l => l.StartsWith("@@", StringComparison.Ordinal)));
    }

    [Fact]
    public void Long_diffs_are_cut_and_line_ending_differences_are_named()
    {
        string old = string.Concat(Enumerable.Range(1, 100).Select(i => $"{i}\r\n"));
        string @new = string.Concat(Enumerable.Range(1, 100).Select(i => $"{i}\n"));

        string diff = LineDiff.Unified(old, @new, "old", "new", maxLines: 10);

        Assert.Contains("… 191 more diff lines", diff, StringComparison.Ordinal);
        Assert.Contains("CRLF against LF", diff, StringComparison.Ordinal);
        Assert.Contains("only the final newline differs", LineDiff.Unified("a", "a\n", "old", "new"), StringComparison.Ordinal);
    }
}
