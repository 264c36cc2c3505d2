using Kmer.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Options = Microsoft.Extensions.Options.Options;

namespace Kmer.Worker.Tests;

/// <summary>Where DatabaseSessions connects and how parallel a call may be: no database needed.</summary>
public sealed class DatabaseTargetTests
{
    private static CallContext Context(params (string Name, string Value)[] settings) =>
        new("genomes", "alice", "public", 1, null, settings.ToDictionary(s => s.Name, s => s.Value));

    private static DatabaseSessions Sessions(WorkerOptions options) => new(Options.Create(options), NullLoggerFactory.Instance);

    [Fact]
    public void TargetIsTheFirstSocketDirectoryAndThePortOfTheCaller()
    {
        using DatabaseSessions sessions = Sessions(new WorkerOptions { DatabaseUser = "kmer" });
        DatabaseTarget target = sessions.TargetFor(Context(("unix_socket_directories", " /run/pg , /tmp"), ("port", "5433")));
        Assert.Equal(new DatabaseTarget("/run/pg", 5433, "genomes", "kmer"), target);
        Assert.Equal("host /run/pg port 5433 database \"genomes\" as user \"kmer\"", target.ToString());
    }

    [Fact]
    public void QuotedSocketDirectoryIsUnquoted() =>
        Assert.Equal("/run/my dir", Sessions(new WorkerOptions()).TargetFor(Context(("unix_socket_directories", "\"/run/my dir\", /tmp"), ("port", "5432"))).Host);

    [Fact]
    public void ConfiguredHostAndPortWin()
    {
        using DatabaseSessions sessions = Sessions(new WorkerOptions { DatabaseHost = "db.example", DatabasePort = 6000 });
        DatabaseTarget target = sessions.TargetFor(Context(("unix_socket_directories", "/run/pg"), ("port", "5433")));
        Assert.Equal(new DatabaseTarget("db.example", 6000, "genomes", "postgres"), target);
    }

    [Theory]
    [InlineData("", "5432", "no unix_socket_directories")]
    [InlineData(null, "5432", "no unix_socket_directories")]
    [InlineData("/run/pg", null, "no \"port\"")]
    [InlineData("/run/pg", "x", "\"port\" setting is \"x\"")]
    public void MissingSocketOrPortIs08001(string? directories, string? port, string detail)
    {
        var settings = new List<(string, string)>();
        if (directories is not null)
        {
            settings.Add(("unix_socket_directories", directories));
        }

        if (port is not null)
        {
            settings.Add(("port", port));
        }

        var ex = Assert.Throws<CallFailedException>(() => Sessions(new WorkerOptions()).TargetFor(Context([.. settings])));
        Assert.Equal("08001", ex.SqlState);
        Assert.Contains(detail, ex.Detail, StringComparison.Ordinal);
        Assert.Contains("Worker:Database", ex.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4, null, 4)]
    [InlineData(4, "2", 2)]
    [InlineData(4, "16", 4)]
    [InlineData(4, "0", 1)]
    [InlineData(4, "many", 4)]
    [InlineData(64, "32", 32)]
    public void MaxParallelismIsThePoolSizeCappedByTheCallersSetting(int poolSize, string? setting, int expected)
    {
        CallContext context = setting is null ? Context() : Context(("kmersearch.worker_pool_size", setting));
        Assert.Equal(expected, Sessions(new WorkerOptions { PoolSize = poolSize }).MaxParallelism(context));
    }

    [Theory]
    [InlineData("alice", "\"alice\"")]
    [InlineData("Mixed Case", "\"Mixed Case\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("\"; DROP TABLE x; --", "\"\"\"; DROP TABLE x; --\"")]
    public void IdentifiersAreQuotedWithEmbeddedQuotesDoubled(string name, string quoted) =>
        Assert.Equal(quoted, DatabaseSessions.QuoteIdentifier(name));

    [Theory]
    [InlineData("00000003-0000001B-1", true)]
    [InlineData("00000003-0000001b-1", false)]
    [InlineData("1'; SELECT 1; --", false)]
    [InlineData("", false)]
    public void SnapshotIdsAreHexAndDashes(string id, bool valid) => Assert.Equal(valid, DatabaseSessions.IsSnapshotId(id));

    [Fact]
    public async Task NoServerAtTheTargetIs08001WithTheTargetAndAHint()
    {
        await using DatabaseSessions sessions = Sessions(new WorkerOptions { DatabaseUser = "kmer" });
        CallContext context = Context(("unix_socket_directories", "/nonexistent/kmer-test"), ("port", "5999"));

        var ex = await Assert.ThrowsAsync<CallFailedException>(async () => await sessions.OpenAsCallerAsync(context, importSnapshot: false, CancellationToken.None));

        Assert.Equal("08001", ex.SqlState);
        Assert.Equal("kmer worker could not connect back to PostgreSQL at host /nonexistent/kmer-test port 5999 database \"genomes\" as user \"kmer\"", ex.Message);
        Assert.Contains("pg_hba.conf", ex.Hint, StringComparison.Ordinal);
        Assert.Contains("Worker:DatabaseHost", ex.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidSnapshotIdIsNeverSpliced()
    {
        await using DatabaseSessions sessions = Sessions(new WorkerOptions());
        CallContext context = new("genomes", "alice", "public", 1, "1'; DROP TABLE x; --", new Dictionary<string, string> { ["unix_socket_directories"] = "/nonexistent", ["port"] = "5999" });

        var ex = await Assert.ThrowsAsync<CallFailedException>(async () => await sessions.OpenAsCallerAsync(context, importSnapshot: true, CancellationToken.None));
        Assert.Equal("08P01", ex.SqlState);
    }
}
