using System.Diagnostics;
using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// <c>kmersearch_parallel_create_index</c> when things go wrong: bad
/// arguments, a partition locked by another session, a caller that holds a
/// conflicting lock itself, cancellation, and the high-frequency settings.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ParallelIndexFailureTests : IClassFixture<BridgeFixture>
{
    private readonly BridgeFixture _fixture;

    public ParallelIndexFailureTests(BridgeFixture fixture) => _fixture = fixture;

    [DatabaseFact]
    public async Task Bad_arguments_are_errors_with_sqlstates_and_nothing_is_built()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, ParallelIndexTables.Settings);
        await ParallelIndexTables.CreateAsync(connection, "bad", partitions: 2, rows: 100);
        await Sql.ExecuteAsync(connection, "CREATE TABLE bad_plain (id integer, seq dna2)");

        (string Call, string SqlState, string Text)[] cases =
        [
            ("'bad_plain', 'seq'", "42809", "is not a partitioned table"),
            ("'bad', 'id'", "42809", "not DNA2 or DNA4"),
            ("'bad', 'nope'", "42703", "column \"nope\""),
            ("'no_such_table', 'seq'", "42P01", "does not exist"),
            ("'bad', 'seq', 'no_such_tablespace'", "42704", "tablespace \"no_such_tablespace\" does not exist"),
            ("NULL, 'seq'", "22004", "table_name"),
            ("'bad', NULL", "22004", "column_name"),
        ];
        foreach ((string call, string sqlState, string text) in cases)
        {
            PostgresException error = await Sql.FailsAsync(connection, $"SELECT * FROM kmersearch_parallel_create_index({call})");
            Assert.Equal(sqlState, error.SqlState);
            Assert.Contains(text, error.MessageText, StringComparison.Ordinal);
        }

        PostgresException plain = await Sql.FailsAsync(connection, "SELECT * FROM kmersearch_parallel_create_index('bad_plain', 'seq')");
        Assert.Contains("kmersearch_partition_table", plain.Hint, StringComparison.Ordinal);
        Assert.Empty(await ParallelIndexTables.IndexesOfAsync(connection, "bad_0"));
        Assert.Empty(await ParallelIndexTables.ParentIndexesAsync(connection, "bad"));
    }

    [DatabaseFact]
    public async Task A_partition_locked_by_another_session_fails_alone_the_parent_is_not_created_and_a_second_call_finishes()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await using NpgsqlConnection locker = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, ParallelIndexTables.Settings + "; SET lock_timeout = '500ms'");
        await ParallelIndexTables.CreateAsync(connection, "locked", rows: 1000);
        await using (NpgsqlTransaction transaction = await locker.BeginTransactionAsync())
        {
            await Sql.ExecuteAsync(locker, "LOCK locked_2 IN ACCESS EXCLUSIVE MODE");

            List<object?[]> rows = await ParallelIndexTables.BuildAsync(connection, "locked");

            object?[] failed = rows.Single(r => (string)r[0]! == "locked_2");
            Assert.False((bool)failed[5]!);
            Assert.Contains("lock timeout", (string)failed[6]!, StringComparison.Ordinal);
            Assert.Contains("55P03", (string)failed[6]!, StringComparison.Ordinal);
            Assert.Equal(0L, (long)failed[2]!);
            Assert.All(rows.Where(r => (string)r[0]! != "locked_2"), r =>
            {
                Assert.True((bool)r[5]!);
                Assert.Null(r[6]);
                Assert.True((long)r[2]! > 0);
            });

            // No partitioned index; the three built ones stay, not attached.
            Assert.Empty(await ParallelIndexTables.ParentIndexesAsync(connection, "locked"));
            foreach (string partition in new[] { "locked_0", "locked_1", "locked_3" })
            {
                Assert.Equal([partition + "_seq_gin_idx", false, true], Assert.Single(await ParallelIndexTables.IndexesOfAsync(connection, partition)));
            }

            await transaction.RollbackAsync();
        }

        Assert.Empty(await ParallelIndexTables.IndexesOfAsync(connection, "locked_2"));

        // Again, with the lock gone: the three are kept (no pid, no time), the fourth is built, all attached.
        List<object?[]> again = await ParallelIndexTables.BuildAsync(connection, "locked");

        Assert.All(again, r => Assert.True((bool)r[5]!, (string?)r[6]));
        Assert.Equal(3, again.Count(r => r[4] is null && (long)r[3]! == 0));
        Assert.NotNull(again.Single(r => (string)r[0]! == "locked_2")[4]);
        Assert.Equal(1000L, again.Sum(r => (long)r[2]!));
        Assert.Equal(["locked_seq_gin_idx", true, 4L], Assert.Single(await ParallelIndexTables.ParentIndexesAsync(connection, "locked")));
    }

    [DatabaseFact]
    public async Task A_caller_holding_a_conflicting_lock_gets_an_error_at_once_instead_of_waiting_for_itself()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, ParallelIndexTables.Settings + "; SET lock_timeout = 0");
        await ParallelIndexTables.CreateAsync(connection, "selflock", partitions: 2, rows: 200);

        foreach (string conflicting in new[] { "INSERT INTO selflock VALUES (0, 'ACGTACGTACGTACGT')", "LOCK selflock IN SHARE UPDATE EXCLUSIVE MODE" })
        {
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
            await Sql.ExecuteAsync(connection, conflicting);
            var clock = Stopwatch.StartNew();

            PostgresException error = await Sql.FailsAsync(connection, "SELECT * FROM kmersearch_parallel_create_index('selflock', 'seq')");

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the call took {clock.Elapsed}");
            Assert.Equal("55006", error.SqlState);
            Assert.Contains("the calling transaction holds", error.MessageText, StringComparison.Ordinal);
            Assert.Contains("selflock_", error.MessageText, StringComparison.Ordinal);
            Assert.Contains("COMMIT", error.Hint, StringComparison.Ordinal);
            await transaction.RollbackAsync();
        }

        Assert.Empty(await ParallelIndexTables.IndexesOfAsync(connection, "selflock_0"));
        Assert.Empty(await ParallelIndexTables.IndexesOfAsync(connection, "selflock_1"));

        // Reading the table first is no conflict.
        await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync())
        {
            await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM selflock");
            List<object?[]> rows = await ParallelIndexTables.BuildAsync(connection, "selflock");
            Assert.All(rows, r => Assert.True((bool)r[5]!, (string?)r[6]));
            await transaction.CommitAsync();
        }

        Assert.Equal(["selflock_seq_gin_idx", true, 2L], Assert.Single(await ParallelIndexTables.ParentIndexesAsync(connection, "selflock")));
    }

    [DatabaseFact]
    public async Task A_rollback_of_the_caller_removes_the_partitioned_index_but_keeps_the_partition_indexes()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, ParallelIndexTables.Settings);
        await ParallelIndexTables.CreateAsync(connection, "rolled", partitions: 2, rows: 200);

        await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync())
        {
            List<object?[]> rows = await ParallelIndexTables.BuildAsync(connection, "rolled");
            Assert.All(rows, r => Assert.True((bool)r[5]!));
            await transaction.RollbackAsync();
        }

        Assert.Empty(await ParallelIndexTables.ParentIndexesAsync(connection, "rolled"));
        Assert.Equal(["rolled_0_seq_gin_idx", false, true], Assert.Single(await ParallelIndexTables.IndexesOfAsync(connection, "rolled_0")));
    }

    [DatabaseFact]
    public async Task Cancelling_the_call_cancels_the_builds_and_creates_no_partitioned_index()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await using NpgsqlConnection locker = await _fixture.OpenAsync();
        await using NpgsqlConnection observer = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, ParallelIndexTables.Settings + "; SET lock_timeout = '60s'");
        await ParallelIndexTables.CreateAsync(connection, "cancelled", partitions: 2, rows: 200);
        await using NpgsqlTransaction transaction = await locker.BeginTransactionAsync();
        await Sql.ExecuteAsync(locker, "LOCK cancelled_1 IN ACCESS EXCLUSIVE MODE");

        Task<List<object?[]>> call = ParallelIndexTables.BuildAsync(connection, "cancelled");
        await WaitForBuildWaitingOnLockAsync(observer);
        var clock = Stopwatch.StartNew();
        Assert.True(await Sql.ScalarAsync<bool>(observer, "SELECT pg_cancel_backend($1)", connection.ProcessID));
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => call);

        Assert.Equal("57014", error.SqlState);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the call ended {clock.Elapsed} after the cancel");

        // The waiting build is cancelled too: soon no worker session waits on the lock any more.
        var gone = Stopwatch.StartNew();
        while (await BuildsWaitingAsync(observer) > 0)
        {
            Assert.True(gone.Elapsed < TimeSpan.FromSeconds(3), "a build session still waits on the lock");
            await Task.Delay(50);
        }

        await transaction.RollbackAsync();
        Assert.Empty(await ParallelIndexTables.ParentIndexesAsync(observer, "cancelled"));
        Assert.Empty(await ParallelIndexTables.IndexesOfAsync(observer, "cancelled_1"));
    }

    [DatabaseFact]
    public async Task Preclusion_needs_the_shared_cache_of_this_table_and_builds_with_it()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        await Sql.ExecuteAsync(connection, ParallelIndexTables.Settings);
        await ParallelIndexTables.CreateAsync(connection, "hf", partitions: 2, rows: 300);
        await ParallelIndexTables.CreateAsync(connection, "hf_other", partitions: 2, rows: 10);
        await Sql.ExecuteAsync(connection, "SELECT kmersearch_parallel_highfreq_kmer_cache_free_all()");
        await Sql.ExecuteAsync(connection, "SET kmersearch.preclude_highfreq_kmer = on");
        try
        {
            PostgresException notForced = await Sql.FailsAsync(connection, "SELECT * FROM kmersearch_parallel_create_index('hf', 'seq')");
            Assert.Equal("22023", notForced.SqlState);
            Assert.Contains("kmersearch.force_use_parallel_highfreq_kmer_cache", notForced.Hint, StringComparison.Ordinal);

            await Sql.ExecuteAsync(connection, "SET kmersearch.force_use_parallel_highfreq_kmer_cache = on");
            PostgresException notLoaded = await Sql.FailsAsync(connection, "SELECT * FROM kmersearch_parallel_create_index('hf', 'seq')");
            Assert.Equal("55000", notLoaded.SqlState);
            Assert.Contains("kmersearch_parallel_highfreq_kmer_cache_load('hf', 'seq')", notLoaded.Hint, StringComparison.Ordinal);

            // An analysis of each table (written by hand: a few keys), the shared cache loaded for the other table: still refused.
            foreach (string table in new[] { "hf", "hf_other" })
            {
                await Sql.ExecuteAsync(connection,
                    $"INSERT INTO kmersearch_highfreq_kmer_meta (table_oid, column_name, kmer_size, occur_bitlen, max_appearance_rate, max_appearance_nrow) VALUES ('{table}'::regclass, 'seq', 8, 8, 0.5, 0)");
                await Sql.ExecuteAsync(connection,
                    $"INSERT INTO kmersearch_highfreq_kmer (table_oid, column_name, kmer_size, occur_bitlen, uintkey) SELECT '{table}'::regclass, 'seq', 8, 8, k FROM unnest(kmersearch_ngram_keys('ACGTACGTAAAACCCC'::dna2)) AS k");
            }

            Assert.True(await Sql.ScalarAsync<bool>(connection, "SELECT kmersearch_parallel_highfreq_kmer_cache_load('hf_other', 'seq')"));
            PostgresException otherTable = await Sql.FailsAsync(connection, "SELECT * FROM kmersearch_parallel_create_index('hf', 'seq')");
            Assert.Equal("55000", otherTable.SqlState);
            Assert.Empty(await ParallelIndexTables.IndexesOfAsync(connection, "hf_0"));

            await Sql.ExecuteAsync(connection, "SELECT kmersearch_parallel_highfreq_kmer_cache_free_all()");
            Assert.True(await Sql.ScalarAsync<bool>(connection, "SELECT kmersearch_parallel_highfreq_kmer_cache_load('hf', 'seq')"));
            var notices = new List<PostgresNotice>();
            connection.Notice += (_, e) => notices.Add(e.Notice);

            List<object?[]> rows = await ParallelIndexTables.BuildAsync(connection, "hf");

            Assert.All(rows, r => Assert.True((bool)r[5]!, (string?)r[6]));
            Assert.Contains(notices, n => n.Detail?.Contains("left out", StringComparison.Ordinal) == true);
            Assert.Equal(["hf_seq_gin_idx", true, 2L], Assert.Single(await ParallelIndexTables.ParentIndexesAsync(connection, "hf")));

            // Every index recorded the exclusion, so the planner uses them while this set is active.
            List<object?[]> info = await Sql.RowsAsync(connection,
                "SELECT index_oid::regclass::text, preclude_highfreq_kmer, highfreq_kmer_count FROM kmersearch_index_info WHERE index_oid::regclass::text LIKE 'hf\\_%' ORDER BY 1");
            Assert.Equal(["hf_0_seq_gin_idx", "hf_1_seq_gin_idx", "hf_seq_gin_idx"], info.Select(r => (string)r[0]!));
            Assert.All(info, r => Assert.True((bool)r[1]!));
            Assert.All(info, r => Assert.True((int)r[2]! > 0));
            await Sql.ExecuteAsync(connection, "SET enable_seqscan = off");
            string plan = string.Join('\n', (await Sql.RowsAsync(connection, "EXPLAIN (COSTS OFF) SELECT id FROM hf WHERE seq =% 'GATTACAGATTACAGATTACA'")).Select(r => (string)r[0]!));
            Assert.Contains("Bitmap Index Scan on hf_0_seq_gin_idx", plan, StringComparison.Ordinal);
        }
        finally
        {
            await Sql.ExecuteAsync(connection, "SELECT kmersearch_parallel_highfreq_kmer_cache_free_all()");
        }
    }

    private static Task<long> BuildsWaitingAsync(NpgsqlConnection observer) =>
        Sql.ScalarAsync<long>(observer,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'kmer-worker job %' AND wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX%'");

    private static async Task WaitForBuildWaitingOnLockAsync(NpgsqlConnection observer)
    {
        var clock = Stopwatch.StartNew();
        while (await BuildsWaitingAsync(observer) == 0)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException("no build session ever waited on the locked partition");
            }

            await Task.Delay(20);
        }
    }
}
