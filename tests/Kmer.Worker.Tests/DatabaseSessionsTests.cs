using Kmer.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Options = Microsoft.Extensions.Options.Options;

namespace Kmer.Worker.Tests;

/// <summary>Sessions back to the caller's server, acting as the caller: against a real PostgreSQL.</summary>
[Collection(ScratchDatabase.Collection)]
public sealed class DatabaseSessionsTests(ScratchDatabase database) : IClassFixture<ScratchDatabase>
{
    private DatabaseSessions NewSessions(int poolSize = 2) => new(Options.Create(database.Options(poolSize)), NullLoggerFactory.Instance);

    [DatabaseFact]
    public async Task SessionActsAsTheCallerWithItsSearchPathAndSettings()
    {
        await using DatabaseSessions sessions = NewSessions();
        var settings = new Dictionary<string, string>
        {
            // kmer_size 32 only fits once occur_bitlen is 0: the order of setting them matters.
            ["kmersearch.kmer_size"] = "32",
            ["kmersearch.occur_bitlen"] = "0",
            ["kmersearch.min_score"] = "7",

            // Only postgresql.conf may change these: left as they are, not an error.
            ["kmersearch.worker_socket_path"] = "/elsewhere/kmer-worker.sock",
            ["kmersearch.worker_pool_size"] = "3",
            ["work_mem"] = "77MB",
        };

        await using NpgsqlConnection session = await sessions.OpenAsCallerAsync(database.Context(database.Reader, "s1, public", settings: settings), importSnapshot: false, CancellationToken.None);

        await using var command = new NpgsqlCommand(
            """
            SELECT current_user, session_user, current_setting('search_path'), current_setting('kmersearch.kmer_size'),
                   current_setting('kmersearch.occur_bitlen'), current_setting('kmersearch.min_score'),
                   current_setting('kmersearch.worker_socket_path'), current_setting('work_mem'), current_setting('application_name'),
                   (SELECT count(*) FROM only_in_s1), current_setting('transaction_isolation')
            """, session);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(database.Reader, reader.GetString(0));
        Assert.Equal(database.Server.Username, reader.GetString(1));
        Assert.Equal("s1, public", reader.GetString(2));
        Assert.Equal("32", reader.GetString(3));
        Assert.Equal("0", reader.GetString(4));
        Assert.Equal("7", reader.GetString(5));
        Assert.NotEqual("/elsewhere/kmer-worker.sock", reader.GetString(6));
        Assert.NotEqual("77MB", reader.GetString(7));
        Assert.Equal("kmer-worker", reader.GetString(8));
        Assert.Equal(0L, reader.GetInt64(9));
        Assert.Equal("read committed", reader.GetString(10));
    }

    [DatabaseFact]
    public async Task RoleWithoutSelectGets42501()
    {
        await using DatabaseSessions sessions = NewSessions();
        await using NpgsqlConnection session = await sessions.OpenAsCallerAsync(database.Context(database.Outsider), importSnapshot: false, CancellationToken.None);

        Assert.Equal(database.Outsider, await ScratchDatabase.ScalarAsync(session, "SELECT current_user"));
        var ex = await Assert.ThrowsAsync<PostgresException>(() => ScratchDatabase.ScalarAsync(session, "SELECT count(*) FROM public.counted"));
        Assert.Equal("42501", ex.SqlState);
    }

    [DatabaseFact]
    public async Task SnapshotImportSeesExactlyTheCallersRows()
    {
        await using DatabaseSessions sessions = NewSessions();
        await using var caller = new NpgsqlConnection(database.ConnectionString);
        await caller.OpenAsync();
        await using NpgsqlTransaction transaction = await caller.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        string snapshot = (string)(await ScratchDatabase.ScalarAsync(caller, "SELECT pg_export_snapshot()"))!;
        await ScratchDatabase.ExecuteAsync(database.ConnectionString, "INSERT INTO public.counted VALUES (4)");
        try
        {
            CallContext context = database.Context(database.Reader, snapshot: snapshot);
            await using (NpgsqlConnection imported = await sessions.OpenAsCallerAsync(context, importSnapshot: true, CancellationToken.None))
            {
                Assert.Equal(3L, await ScratchDatabase.ScalarAsync(imported, "SELECT count(*) FROM counted"));
                Assert.Equal("repeatable read", await ScratchDatabase.ScalarAsync(imported, "SELECT current_setting('transaction_isolation')"));
                Assert.Equal("on", await ScratchDatabase.ScalarAsync(imported, "SELECT current_setting('transaction_read_only')"));
            }

            await using NpgsqlConnection current = await sessions.OpenAsCallerAsync(context, importSnapshot: false, CancellationToken.None);
            Assert.Equal(4L, await ScratchDatabase.ScalarAsync(current, "SELECT count(*) FROM counted"));
        }
        finally
        {
            await ScratchDatabase.ExecuteAsync(database.ConnectionString, "DELETE FROM public.counted WHERE id = 4");
        }
    }

    [DatabaseFact]
    public async Task ASnapshotThatIsNoLongerExportedFailsWithPostgresError()
    {
        await using DatabaseSessions sessions = NewSessions();
        var ex = await Assert.ThrowsAsync<PostgresException>(async () =>
            await sessions.OpenAsCallerAsync(database.Context(database.Reader, snapshot: "00000003-0000001B-1"), importSnapshot: true, CancellationToken.None));
        Assert.Equal("22023", ex.SqlState);
    }

    [DatabaseFact]
    public async Task ReturnedSessionsAreResetBeforeReuse()
    {
        const string Probe = "SELECT current_user || ' ' || current_setting('search_path') || ' ' || current_setting('kmersearch.kmer_size') || ' ' || current_setting('application_name')";
        string fresh;
        await using (var plain = new NpgsqlConnection(database.ConnectionString))
        {
            await plain.OpenAsync();
            await ScratchDatabase.ScalarAsync(plain, "SET application_name = 'kmer-worker'");
            fresh = (string)(await ScratchDatabase.ScalarAsync(plain, Probe))!;
        }

        await using DatabaseSessions sessions = NewSessions(poolSize: 1);
        CallContext context = database.Context(database.Reader, "s1", settings: new Dictionary<string, string> { ["kmersearch.kmer_size"] = "9" });
        int pid;
        await using (NpgsqlConnection session = await sessions.OpenAsCallerAsync(context, importSnapshot: true, CancellationToken.None))
        {
            pid = session.ProcessID;
            Assert.NotEqual(fresh, await ScratchDatabase.ScalarAsync(session, Probe));
        }

        await using NpgsqlConnection again = await sessions.OpenAsync(sessions.TargetFor(context), CancellationToken.None);
        Assert.Equal(pid, again.ProcessID);
        Assert.Equal(fresh, await ScratchDatabase.ScalarAsync(again, Probe));
    }

    [DatabaseFact]
    public async Task ApplicationNameNamesTheJob()
    {
        await using DatabaseSessions sessions = NewSessions();
        using var cancellation = new CancellationTokenSource();
        var job = new Job(42, "h", 1, DateTimeOffset.UtcNow, cancellation);
        var writer = new FrameWriter(new MemoryStream());
        var handlerContext = new HandlerContext(new Call(1, "h", [], database.Context(database.Reader)), job, writer, new SpiChannel(1, writer));

        await using NpgsqlConnection session = await sessions.OpenAsCallerAsync(handlerContext, importSnapshot: false, CancellationToken.None);

        Assert.Equal("kmer-worker job 42", await ScratchDatabase.ScalarAsync(session, "SELECT current_setting('application_name')"));
    }

    [DatabaseFact]
    public async Task CancellationReachesTheServer()
    {
        await using DatabaseSessions sessions = NewSessions();
        await using NpgsqlConnection session = await sessions.OpenAsCallerAsync(database.Context(database.Reader), importSnapshot: false, CancellationToken.None);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await using var command = new NpgsqlCommand("SELECT pg_sleep(30)", session);

        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => command.ExecuteNonQueryAsync(cancellation.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }
}
