using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// The same data gives the same analysis with one reader, with two, with
/// many small ranges, and with a memory limit that forces the counts to spill;
/// the progress INFOs say what happened.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class AnalysisParallelismTests : IClassFixture<AnalysisFixture>, IAsyncLifetime
{
    private const string Table = "par_reads";
    private const int K = 16;
    private const int B = 8;
    private const double Rate = 0.5;
    private const int Nrow = 5;
    private readonly AnalysisFixture _fixture;

    public AnalysisParallelismTests(AnalysisFixture fixture) => _fixture = fixture;

    public async Task InitializeAsync()
    {
        if (!_fixture.IsAvailable)
        {
            return;
        }

        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        if (await Sql.ScalarAsync<long>(connection, $"SELECT count(*) FROM pg_class WHERE relname = '{Table}'") == 0)
        {
            await AnalysisSql.CreateTableAsync(connection, Table, "dna2", AnalysisData.WithEdgeCases(AnalysisData.Reads(2024, 30_000, 80, 150), K, 2024));
            await Sql.ExecuteAsync(connection, $"ANALYZE {Table}");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [DatabaseFact]
    public async Task One_reader_two_readers_small_ranges_and_spilling_give_identical_results()
    {
        var outcomes = new List<(string Name, AnalysisResult Result, Dictionary<long, long> Keys, List<string> Notices)>();
        foreach ((string name, string settings) in new[]
        {
            ("one reader", "SET max_parallel_maintenance_workers = 0"),
            ("two readers", "SET max_parallel_maintenance_workers = 2"),
            ("small ranges", "SET max_parallel_maintenance_workers = 2; SET kmersearch.highfreq_analysis_batch_size = 1000"),
            ("spilling", "SET max_parallel_maintenance_workers = 2; SET kmersearch.highfreq_analysis_batch_size = 1000; SET kmersearch.highfreq_analysis_memory_limit = 1"),
        })
        {
            await using NpgsqlConnection connection = await _fixture.OpenAsync();
            var notices = new List<string>();
            connection.Notice += (_, e) => notices.Add(e.Notice.MessageText);
            await AnalysisSql.SetAsync(connection, K, B, Rate, Nrow);
            await Sql.ExecuteAsync(connection, settings);

            AnalysisResult result = await AnalysisSql.AnalyzeAsync(connection, Table);

            if (outcomes.Count == 0)
            {
                await AnalysisSql.VerifyAsync(connection, Table, K, B, Rate, Nrow, result, expectedWorkers: 1);
            }

            outcomes.Add((name, result, await AnalysisSql.StoredKeysAsync(connection, Table, "seq", K, B), notices));
            await AnalysisSql.UndoAsync(connection, Table);
        }

        (string _, AnalysisResult first, Dictionary<long, long> firstKeys, List<string> _) = outcomes[0];
        Assert.True(first.HighfreqKmersCount > 1000, $"only {first.HighfreqKmersCount} high-frequency keys");
        foreach ((string name, AnalysisResult result, Dictionary<long, long> keys, List<string> _) in outcomes.Skip(1))
        {
            Assert.Equal(first with { ParallelWorkersUsed = 2 }, result);
            Assert.True(firstKeys.OrderBy(e => e.Key).SequenceEqual(keys.OrderBy(e => e.Key)), $"{name}: other keys or counts than with one reader");
        }

        Assert.Equal(1, Readers(outcomes[0].Notices));
        Assert.Equal(2, Readers(outcomes[1].Notices));
        Assert.True(Ranges(outcomes[2].Notices) >= 20, $"small ranges: {Ranges(outcomes[2].Notices)} ranges");
        Assert.Equal(0, SpillFiles(outcomes[1].Notices));
        Assert.True(SpillFiles(outcomes[3].Notices) > 0, "a 1 MB memory limit should make the counts spill");
        foreach ((string name, AnalysisResult _, Dictionary<long, long> _, List<string> notices) in outcomes)
        {
            Assert.Contains(notices, n => n.Contains(" done: ", StringComparison.Ordinal));
            Assert.Contains(notices, n => n.Contains("writing ", StringComparison.Ordinal));
        }
    }

    [DatabaseFact]
    public async Task Progress_shows_in_the_worker_status_while_the_scan_runs()
    {
        await using NpgsqlConnection caller = await _fixture.OpenAsync();
        await using NpgsqlConnection observer = await _fixture.OpenAsync();
        await AnalysisSql.SetAsync(caller, K, B, Rate, Nrow);
        await Sql.ExecuteAsync(caller, "SET max_parallel_maintenance_workers = 1; SET kmersearch.highfreq_analysis_batch_size = 1000; SET kmersearch.highfreq_analysis_memory_limit = 1");

        Task<AnalysisResult> analysis = AnalysisSql.AnalyzeAsync(caller, Table);
        var seen = new SortedSet<double>();
        while (!analysis.IsCompleted)
        {
            foreach (object?[] row in await Sql.RowsAsync(observer, string.Create(CultureInfo.InvariantCulture,
                $"SELECT progress FROM kmersearch_worker_status() WHERE caller_pid = {caller.ProcessID} AND handler = 'kmersearch_perform_highfreq_analysis'")))
            {
                if (row[0] is double progress)
                {
                    seen.Add(progress);
                }
            }

            await Task.Delay(20);
        }

        Assert.Equal(1, (await analysis).ParallelWorkersUsed);
        Assert.Contains(seen, p => p is > 0 and < 1);
        Assert.All(seen, p => Assert.InRange(p, 0, 1));
        await AnalysisSql.UndoAsync(caller, Table);
    }

    private static int Ranges(List<string> notices) => Number(notices, RangesPattern());

    private static int Readers(List<string> notices) => Number(notices, ReadersPattern());

    private static int SpillFiles(List<string> notices) => Number(notices, SpillFilesPattern());

    private static int Number(List<string> notices, Regex pattern)
    {
        foreach (string notice in notices)
        {
            Match match = pattern.Match(notice);
            if (match.Success)
            {
                return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }

        Assert.Fail($"no notice matches {pattern}: {string.Join(" | ", notices)}");
        return -1;
    }

    [GeneratedRegex(@"(\d+) ranges? of about")]
    private static partial Regex RangesPattern();

    [GeneratedRegex(@"(\d+) readers?, about")]
    private static partial Regex ReadersPattern();

    [GeneratedRegex(@"(\d+) spill files?\)")]
    private static partial Regex SpillFilesPattern();
}
