using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// An analysis interrupted mid-scan — pg_cancel_backend, statement_timeout,
/// kill -9 of the pool — ends with an ERROR, writes nothing, leaves no spill
/// directory behind (or, after kill -9, one that kmersearch_delete_tempfiles
/// removes), and the next analysis succeeds.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AnalysisInterruptionTests : IClassFixture<AnalysisInterruptionTests.BigTableFixture>
{
    private const string Table = "big_reads";
    private const string Handler = "kmersearch_perform_highfreq_analysis";

    // Many small ranges and a 1 MB counting budget: the scan is long, spills, and is interrupted mid-way.
    private const string SlowSettings =
        "SET max_parallel_maintenance_workers = 2; SET kmersearch.highfreq_analysis_batch_size = 1000; SET kmersearch.highfreq_analysis_memory_limit = 1";

    private readonly BigTableFixture _fixture;

    public AnalysisInterruptionTests(BigTableFixture fixture) => _fixture = fixture;

    [DatabaseFact]
    public async Task Pg_cancel_backend_mid_scan_ends_the_call_writes_nothing_and_removes_the_spill_directory()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection observer = await _fixture.OpenAsync();
        await AnalysisSql.SetAsync(caller, 16, 8, 0.5, 5);
        await Sql.ExecuteAsync(caller, SlowSettings);
        Task<AnalysisResult> analysis = AnalysisSql.AnalyzeAsync(caller, Table);
        (long job, int _) = await WaitForScanAsync(observer, caller.ProcessID, analysis);
        Assert.NotEmpty(await _fixture.JobSpillDirectoriesAsync(observer, job));

        var clock = Stopwatch.StartNew();
        Assert.True(await Sql.ScalarAsync<bool>(observer, "SELECT pg_cancel_backend($1)", caller.ProcessID));
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => analysis);

        Assert.Equal("57014", error.SqlState);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the call ended {clock.Elapsed} after the cancel");
        await AssertCleanAsync(observer, caller.ProcessID, job);
        await AssertNextAnalysisSucceedsAsync(caller);
    }

    [DatabaseFact]
    public async Task Statement_timeout_mid_scan_ends_the_call_writes_nothing_and_removes_the_spill_directory()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection observer = await _fixture.OpenAsync();
        await AnalysisSql.SetAsync(caller, 16, 8, 0.5, 5);
        await Sql.ExecuteAsync(caller, SlowSettings + "; SET statement_timeout = '1s'");
        Task<AnalysisResult> analysis = AnalysisSql.AnalyzeAsync(caller, Table);
        (long job, int _) = await WaitForScanAsync(observer, caller.ProcessID, analysis);

        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => analysis);

        Assert.Equal("57014", error.SqlState);
        Assert.Contains("statement timeout", error.MessageText, StringComparison.Ordinal);
        await Sql.ExecuteAsync(caller, "SET statement_timeout = 0");
        await AssertCleanAsync(observer, caller.ProcessID, job);
        await AssertNextAnalysisSucceedsAsync(caller);
    }

    [DatabaseFact]
    public async Task Kill_9_of_the_pool_mid_scan_is_an_error_that_writes_nothing_and_leaves_a_directory_delete_tempfiles_removes()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection observer = await _fixture.OpenAsync();
        await AnalysisSql.SetAsync(caller, 16, 8, 0.5, 5);
        await Sql.ExecuteAsync(caller, SlowSettings);
        Task<AnalysisResult> analysis = AnalysisSql.AnalyzeAsync(caller, Table);
        (long job, int poolPid) = await WaitForScanAsync(observer, caller.ProcessID, analysis);
        string[] left = await _fixture.JobSpillDirectoriesAsync(observer, job);
        Assert.NotEmpty(left);

        Process.GetProcessById(poolPid).Kill();
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => analysis);

        Assert.Equal("08006", error.SqlState);
        Assert.Equal((0L, 0L), await AnalysisSql.CountsForAsync(observer, Table));

        // The pool died with the job: its directory stays until kmersearch_delete_tempfiles, which leaves
        // directories younger than a minute alone; make this one look old.
        Assert.All(left, d => Assert.True(Directory.Exists(d), $"{d} should be left behind"));
        foreach (string directory in left)
        {
            Directory.SetLastWriteTimeUtc(directory, DateTime.UtcNow.AddMinutes(-5));
        }

        await WaitForPoolAsync(observer);
        List<object?[]> deleted = await Sql.RowsAsync(observer, "SELECT deleted_count, error_count FROM kmersearch_delete_tempfiles()");
        Assert.Equal(0, (int)Assert.Single(deleted)[1]!);
        Assert.All(left, d => Assert.False(Directory.Exists(d), $"{d} should have been removed"));
        await AssertNextAnalysisSucceedsAsync(caller);
    }

    /// <summary>Waits until the caller's analysis shows in kmersearch_worker_status() with some progress; returns its job id and the pool's pid.</summary>
    private static async Task<(long Job, int PoolPid)> WaitForScanAsync(NpgsqlConnection observer, int callerPid, Task analysis)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Assert.False(analysis.IsCompleted,
                analysis.IsFaulted
                    ? $"the analysis failed before it could be interrupted: {analysis.Exception?.InnerException?.Message}"
                    : "the analysis ended before it could be interrupted; the test table is too small for this machine");
            List<object?[]> rows = await Sql.RowsAsync(observer, string.Create(CultureInfo.InvariantCulture,
                $"SELECT job, pid, progress FROM kmersearch_worker_status() WHERE caller_pid = {callerPid} AND handler = '{Handler}'"));
            if (rows.Count == 1 && rows[0][2] is double progress && progress > 0)
            {
                return ((long)rows[0][0]!, (int)rows[0][1]!);
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"the analysis of backend {callerPid} never showed progress in kmersearch_worker_status()");
    }

    /// <summary>
    /// Nothing written; and within a second the job has ended in the pool and
    /// its spill directory is gone (the caller's error comes first: the
    /// backend does not wait for the pool to wind the job down).
    /// </summary>
    private async Task AssertCleanAsync(NpgsqlConnection observer, int callerPid, long job)
    {
        Assert.Equal((0L, 0L), await AnalysisSql.CountsForAsync(observer, Table));
        var clock = Stopwatch.StartNew();
        while (await Sql.ScalarAsync<long>(observer, string.Create(CultureInfo.InvariantCulture,
            $"SELECT count(*) FROM kmersearch_worker_status() WHERE job = {job}")) > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"job {job} of backend {callerPid} still ran {clock.Elapsed} after the error");
            await Task.Delay(20);
        }

        Assert.Empty(await _fixture.JobSpillDirectoriesAsync(observer, job));
    }

    private static async Task AssertNextAnalysisSucceedsAsync(NpgsqlConnection caller)
    {
        await Sql.ExecuteAsync(caller, "RESET kmersearch.highfreq_analysis_batch_size; RESET kmersearch.highfreq_analysis_memory_limit");
        AnalysisResult result = await AnalysisSql.AnalyzeAsync(caller, Table);
        Assert.Equal(BigTableFixture.Rows, result.TotalRows);
        Assert.True(result.HighfreqKmersCount > 0);
        await AnalysisSql.UndoAsync(caller, Table);
    }

    /// <summary>Waits until the restarted pool answers.</summary>
    private static async Task WaitForPoolAsync(NpgsqlConnection connection)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM kmersearch_worker_status()");
                return;
            }
            catch (PostgresException ex) when (ex.SqlState is "08001" or "08006" && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>A scratch database with a table big enough for an analysis to be caught mid-scan.</summary>
    public sealed class BigTableFixture : IAsyncLifetime
    {
        /// <summary>Rows of the table (reads of 250 to 350 bases).</summary>
        public const int Rows = 300_000;

        private readonly AnalysisFixture _database = new();

        /// <inheritdoc/>
        public async Task InitializeAsync()
        {
            await _database.InitializeAsync();
            if (!_database.IsAvailable)
            {
                return;
            }

            await using NpgsqlConnection connection = await _database.OpenAsync();
            await AnalysisSql.CreateTableAsync(connection, Table, "dna2", AnalysisData.Reads(300, Rows, 250, 350));
            await Sql.ExecuteAsync(connection, $"ANALYZE {Table}");
        }

        /// <inheritdoc/>
        public Task DisposeAsync() => _database.DisposeAsync();

        /// <summary>Opens a connection to the scratch database.</summary>
        public Task<NpgsqlConnection> OpenAsync() => _database.OpenAsync();

        /// <summary>See <see cref="AnalysisFixture.JobSpillDirectoriesAsync"/>.</summary>
        public Task<string[]> JobSpillDirectoriesAsync(NpgsqlConnection connection, long job) => _database.JobSpillDirectoriesAsync(connection, job);
    }
}
