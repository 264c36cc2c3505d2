namespace Kmer.Cli.Tests;

public sealed class StatusReportTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(45, "45s")]
    [InlineData(185, "3m 05s")]
    [InlineData(7390, "2h 03m 10s")]
    [InlineData(4 * 86400 + 2 * 3600 + 59, "4d 02h 00m")]
    [InlineData(-5, "0s")]
    public void Durations_read_like_uptime(int seconds, string expected)
    {
        Assert.Equal(expected, StatusReport.FormatDuration(TimeSpan.FromSeconds(seconds)));
    }
}
