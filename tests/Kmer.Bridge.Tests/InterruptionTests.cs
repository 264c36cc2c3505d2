using System.Diagnostics;
using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// A long bridged call ends promptly when it is cancelled, times out or loses
/// its pool, and the pool forgets the job; measured against the real server
/// and pool.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class InterruptionTests : IClassFixture<BridgeFixture>
{
    private static readonly TimeSpan CallerLimit = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan JobGoneLimit = TimeSpan.FromSeconds(1);
    private readonly BridgeFixture _fixture;

    public InterruptionTests(BridgeFixture fixture) => _fixture = fixture;

    [DatabaseFact]
    public async Task Pg_cancel_backend_ends_the_call_and_the_job()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection observer = await _fixture.OpenAsync();
        Task<bool> call = Sql.ScalarAsync<bool>(caller, "SELECT bridge_sleep(30)");
        await WaitForJobAsync(observer, caller.ProcessID);

        var clock = Stopwatch.StartNew();
        Assert.True(await Sql.ScalarAsync<bool>(observer, "SELECT pg_cancel_backend($1)", caller.ProcessID));
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => call);
        TimeSpan ended = clock.Elapsed;

        Assert.Equal("57014", error.SqlState);
        Assert.True(ended < CallerLimit, $"the call ended {ended} after the cancel");
        await WaitForNoJobAsync(observer, caller.ProcessID, JobGoneLimit);
    }

    [DatabaseFact]
    public async Task Statement_timeout_ends_the_call_and_the_job()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection observer = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(caller, "SET statement_timeout = '700ms'");

        var clock = Stopwatch.StartNew();
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => Sql.ScalarAsync<bool>(caller, "SELECT bridge_sleep(30)"));
        TimeSpan ended = clock.Elapsed;

        Assert.Equal("57014", error.SqlState);
        Assert.Contains("statement timeout", error.MessageText, StringComparison.Ordinal);
        Assert.True(ended < TimeSpan.FromMilliseconds(700) + CallerLimit, $"the call ended after {ended}");
        await WaitForNoJobAsync(observer, caller.ProcessID, JobGoneLimit);

        // The session goes on: the next call reconnects.
        await Sql.ExecuteAsync(caller, "SET statement_timeout = 0");
        Assert.Equal(3, await Sql.ScalarAsync<int>(caller, "SELECT bridge_echo(3)"));
    }

    [DatabaseFact]
    public async Task Kill_9_of_the_pool_is_an_error_within_2_seconds_and_the_restarted_pool_serves_the_next_call()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection observer = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(caller, "CREATE TABLE IF NOT EXISTS crash_witness (id int); TRUNCATE crash_witness");
        await using NpgsqlTransaction transaction = await caller.BeginTransactionAsync();
        await Sql.ExecuteAsync(caller, "INSERT INTO crash_witness VALUES (1)");
        Task<bool> call = Sql.ScalarAsync<bool>(caller, "SELECT bridge_sleep(30)");
        int poolPid = await WaitForJobAsync(observer, caller.ProcessID);

        var clock = Stopwatch.StartNew();
        Process.GetProcessById(poolPid).Kill();
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => call);
        TimeSpan ended = clock.Elapsed;

        Assert.Equal("08006", error.SqlState);
        Assert.True(ended < CallerLimit, $"the call ended {ended} after kill -9");
        await transaction.RollbackAsync();
        Assert.Equal(0L, await Sql.ScalarAsync<long>(caller, "SELECT count(*) FROM crash_witness"));

        // The background worker restarts the pool; the next call succeeds.
        var restart = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Assert.Equal(4, await Sql.ScalarAsync<int>(caller, "SELECT bridge_echo(4)"));
                break;
            }
            catch (PostgresException ex) when (ex.SqlState == "08001" && restart.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Waits until the caller's sleep shows in kmersearch_worker_status(); returns the pool's pid.</summary>
    private static async Task<int> WaitForJobAsync(NpgsqlConnection observer, int callerPid)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            List<object?[]> rows = await Sql.RowsAsync(observer,
                $"SELECT pid FROM kmersearch_worker_status() WHERE caller_pid = {callerPid} AND handler = 'diagnostics.sleep'");
            if (rows.Count == 1)
            {
                return (int)rows[0][0]!;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"the sleep of backend {callerPid} never showed in kmersearch_worker_status()");
    }

    private static async Task WaitForNoJobAsync(NpgsqlConnection observer, int callerPid, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        long left;
        do
        {
            left = await Sql.ScalarAsync<long>(observer,
                $"SELECT count(*) FROM kmersearch_worker_status() WHERE caller_pid = {callerPid} AND handler = 'diagnostics.sleep'");
            if (left == 0)
            {
                return;
            }

            await Task.Delay(20);
        }
        while (clock.Elapsed < limit);
        Assert.Fail($"the job of backend {callerPid} was still in kmersearch_worker_status() {limit} later");
    }
}
