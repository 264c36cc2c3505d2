namespace Kmer.Cli.Tests;

public sealed class WorkerSocketTests
{
    [Theory]
    [InlineData("/x/opt.sock", "/x/env.sock", "/x/opt.sock")]
    [InlineData(null, "/x/env.sock", "/x/env.sock")]
    [InlineData("", "/x/env.sock", "/x/env.sock")]
    [InlineData(null, null, WorkerSocket.DefaultPath)]
    [InlineData(null, "", WorkerSocket.DefaultPath)]
    public void Option_then_environment_then_default(string? option, string? environment, string expected)
    {
        string path = WorkerSocket.Resolve(option, name => name == "KMER_WORKER_SOCKET" ? environment : null);

        Assert.Equal(expected, path);
    }
}
