namespace Kmer.Cli.Tests;

public sealed class AnalyzeProgressTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);

    private static AnalyzeNotice Info(double seconds, string message) => new(Start.AddSeconds(seconds), "INFO", message);

    private static AnalyzeJobSample Job(double seconds, double? progress) => new(Start.AddSeconds(seconds), 4242, 17, progress);

    [Fact]
    public void Bar_shows_the_jobs_progress_elapsed_rows_job_and_the_last_message()
    {
        var bar = new AnalyzeProgressBar(new StringWriter(), 200, Start);

        bar.OnNotice(Info(1, "analysing reads.seq: 20000 rows, 120 blocks, 2 workers"));
        bar.OnSample(Job(2, 0.5));
        bar.OnNotice(Info(12, "batch 3: 10000 of 20000 rows of reads.seq counted"));

        Assert.Equal(
            "[############------------]  50.0%  0:12  10000/20000 rows  job 17  10000 of 20000 rows of reads.seq counted",
            bar.Render(Start.AddSeconds(12)));
    }

    [Fact]
    public void Bar_falls_back_to_rows_then_to_a_moving_block()
    {
        var bar = new AnalyzeProgressBar(new StringWriter(), 200, Start);

        Assert.Equal("[######                  ]     ?%  0:00  waiting for the worker pool", bar.Render(Start));
        Assert.Equal("[ ######                 ]     ?%  0:00  waiting for the worker pool", bar.Render(Start.AddMilliseconds(250)));
        Assert.StartsWith("[                  ######]", bar.Render(Start.AddSeconds(4.5)), StringComparison.Ordinal);
        Assert.StartsWith("[                 ###### ]", bar.Render(Start.AddSeconds(4.75)), StringComparison.Ordinal);

        bar.OnSample(Job(1, null));
        bar.OnNotice(Info(2, "5000/20000 rows"));
        Assert.Equal("[######------------------]  25.0%  1:05  5000/20000 rows  job 17  5000/20000 rows", bar.Render(Start.AddSeconds(65)));
    }

    [Fact]
    public void Bar_is_cut_to_the_terminal_width()
    {
        var bar = new AnalyzeProgressBar(new StringWriter(), 60, Start);
        bar.OnSample(Job(1, 0.25));
        bar.OnNotice(Info(1, new string('x', 100)));

        string line = bar.Render(Start.AddSeconds(1));

        Assert.Equal(59, line.Length);
        Assert.EndsWith("x…", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Bar_redraws_in_place_prints_warnings_above_and_ends_at_100_percent_on_success()
    {
        var output = new StringWriter();
        var bar = new AnalyzeProgressBar(output, 200, Start);

        bar.OnSample(Job(0.2, 0.1));
        bar.OnTick(Start.AddSeconds(1));
        bar.OnNotice(new AnalyzeNotice(Start.AddSeconds(2), "WARNING", "could not write key 42"));
        bar.OnTick(Start.AddSeconds(3));
        bar.Finish(Start.AddSeconds(4), succeeded: true);
        bar.OnTick(Start.AddSeconds(5));

        string first = "[##----------------------]  10.0%  0:01  job 17";
        string[] lines = output.ToString().Split(Environment.NewLine);
        Assert.Equal(
        [
            "\r" + first + "\r" + new string(' ', first.Length) + "\rWARNING:  could not write key 42",
            "\r[##----------------------]  10.0%  0:02  job 17"
                + "\r[##----------------------]  10.0%  0:03  job 17"
                + "\r[########################] 100.0%  0:04  job 17",
            "",
        ], lines);
    }

    [Fact]
    public void Bar_pads_a_shorter_line_over_the_longer_one()
    {
        var output = new StringWriter();
        var bar = new AnalyzeProgressBar(output, 200, Start);

        bar.OnNotice(Info(0, "a long message about the scan"));
        bar.OnNotice(Info(9, "short"));

        string text = output.ToString();
        string second = text[text.LastIndexOf('\r')..];
        Assert.Equal("\r[######                  ]     ?%  0:09  waiting for the worker pool  short" + new string(' ', 24), second);
    }

    [Fact]
    public void Lines_have_one_timestamped_line_per_notice_and_one_for_the_job()
    {
        var output = new StringWriter();
        var lines = new AnalyzeProgressLines(output, TimeZoneInfo.Utc);

        lines.OnTick(Start);
        lines.OnSample(new AnalyzeJobSample(Start.AddSeconds(0.25), 4242, null, null));
        lines.OnNotice(Info(1, "analysing reads.seq: 20000 rows"));
        lines.OnSample(Job(1.25, 0.2));
        lines.OnSample(Job(1.5, 0.3));
        lines.OnNotice(new AnalyzeNotice(Start.AddSeconds(3), "WARNING", "two\nlines", "some detail", "a hint"));
        lines.Finish(Start.AddSeconds(4), succeeded: true);

        Assert.Equal(
        [
            "2026-11-24 09:30:01  INFO  analysing reads.seq: 20000 rows",
            "2026-11-24 09:30:01  JOB  worker pool job 17 (pool pid 4242)",
            "2026-11-24 09:30:03  WARNING  two lines  DETAIL: some detail  HINT: a hint",
        ], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Lines_use_the_given_time_zone()
    {
        var lines = new AnalyzeProgressLines(new StringWriter(), TimeZoneInfo.CreateCustomTimeZone("plus2", TimeSpan.FromHours(2), "plus2", "plus2"));

        Assert.Equal("2026-11-24 11:30:00", lines.Timestamp(Start));
    }

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(59.9, "0:59")]
    [InlineData(61, "1:01")]
    [InlineData(3599, "59:59")]
    [InlineData(3600, "1:00:00")]
    [InlineData(90061, "25:01:01")]
    [InlineData(-3, "0:00")]
    public void Elapsed_time_format(double seconds, string expected) =>
        Assert.Equal(expected, AnalyzeProgressBar.FormatElapsed(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("batch 3: 10000 of 20000 rows counted", 10000L, 20000L)]
    [InlineData("processed 1,234/5,678 rows", 1234L, 5678L)]
    [InlineData("analysis of public.reads.seq (k = 12, b = 8): 1 relation, 1870 blocks, 19 ranges of about 10000 rows, 2 readers, about 187000 rows", null, 187000L)]
    [InlineData("analysis of public.reads.seq: 85600 rows read, 8 of 19 ranges done", 85600L, null)]
    [InlineData("scan done, 200000 rows read by 2 readers; selecting the keys found in more than 2000 rows", 200000L, null)]
    [InlineData("analysing reads.seq: 20000 rows, 120 blocks", null, null)]
    [InlineData("total_rows=20000 rows", null, 20000L)]
    [InlineData("wrote 1000 of 5000 rows", null, null)]
    [InlineData("done: 0 high-frequency keys of 200000 rows written in 5.5 s", null, null)]
    [InlineData("writing 5000 high-frequency keys", null, null)]
    [InlineData("scan done, aggregating", null, null)]
    public void Row_counts_are_read_from_the_messages(string message, long? processed, long? total)
    {
        bool found = AnalyzeProgressRows.TryParse(message, out long? gotProcessed, out long? gotTotal);

        Assert.Equal(processed is not null || total is not null, found);
        Assert.Equal(processed, gotProcessed);
        Assert.Equal(total, gotTotal);
    }
}
