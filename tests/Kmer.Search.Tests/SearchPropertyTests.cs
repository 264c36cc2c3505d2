using System.Globalization;
using System.Text;
using Kmer.Core;
using Npgsql;
using NpgsqlTypes;

namespace Kmer.Search.Tests;

/// <summary>
/// Randomised, seeded property test of <c>=%</c> and <c>kmersearch_matchscore</c>:
/// for several k/b settings, the GIN bitmap scan, the sequential scan and a
/// prediction made in C# with <see cref="NgramKeyExtractor"/> must give the
/// same rows, and the score of every row must equal the number of shared
/// n-gram keys.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SearchPropertyTests : IClassFixture<DatabaseFixture>
{
    private const int Seed = 20250611;
    private const int RowCount = 3000;
    private const int RandomQueriesPerSetting = 30;

    // Used in every setting, on the same connection: a cached key list or
    // threshold that outlived a change of k, b or rate would show here.
    private const int SharedQueries = 8;

    private static readonly string[] Columns = ["d2", "d4"];

    private static readonly SearchSetting[] Settings =
    [
        new(4, 8, 1, 0.5),
        new(8, 8, 1, 0.5),
        new(8, 0, 1, 0.5),
        new(12, 8, 1, 0.5),
        new(16, 8, 1, 0.5),
        new(32, 0, 1, 0.5),
        new(6, 4, 1, 0.2),
        new(10, 2, 3, 0.2),
    ];

    private readonly DatabaseFixture _database;

    public SearchPropertyTests(DatabaseFixture database) => _database = database;

    [DatabaseFact]
    public async Task Index_scan_sequential_scan_and_prediction_agree()
    {
        var generator = new SequenceGenerator(Seed);
        List<SequenceRow> rows = generator.Rows(RowCount);
        List<string> sharedQueries = generator.Queries(KmerSettings.MaxKmerSize, SharedQueries, rows);

        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await DatabaseFixture.ExecuteAsync(connection, "CREATE TABLE seqs (id integer PRIMARY KEY, d2 DNA2, d4 DNA4)");
        await LoadAsync(connection, rows);
        await AssertStoredAsync(connection, rows);
        await DatabaseFixture.ExecuteAsync(connection, "ANALYZE seqs");

        var failures = new FailureLog();
        int checkedSearches = 0;
        int searchesWithHits = 0;
        int searchesWithoutKeys = 0;
        SearchSetting? previous = null;
        foreach (SearchSetting setting in Settings)
        {
            await DatabaseFixture.ExecuteAsync(connection, setting.SetStatements(previous));
            await AssertSessionSettingsAsync(connection, setting);
            previous = setting;
            await DatabaseFixture.ExecuteAsync(connection, $"CREATE INDEX seqs_d2_kmer ON seqs USING gin (d2 kmersearch_dna2_gin_ops_{setting.KeyClass})");
            await DatabaseFixture.ExecuteAsync(connection, $"CREATE INDEX seqs_d4_kmer ON seqs USING gin (d4 kmersearch_dna4_gin_ops_{setting.KeyClass})");

            List<string> queries = generator.Queries(setting.KmerSize, RandomQueriesPerSetting, rows);
            queries.AddRange(sharedQueries);
            var extractor = new NgramKeyExtractor(setting.Kmer);
            var predictions = new Dictionary<string, Prediction[]>(StringComparer.Ordinal)
            {
                ["d2"] = Predict(setting, extractor, rows, queries, row => row.Dna2),
                ["d4"] = Predict(setting, extractor, rows, queries, row => row.Dna4),
            };

            await DatabaseFixture.ExecuteAsync(connection, "SET enable_seqscan = off; SET enable_bitmapscan = on; SET enable_indexscan = on");
            Dictionary<string, List<int>[]> indexIds = await SearchAllAsync(connection, queries, "Bitmap Index Scan on seqs_{0}_kmer", setting, failures);
            await DatabaseFixture.ExecuteAsync(connection, "SET enable_seqscan = on; SET enable_bitmapscan = off; SET enable_indexscan = off");
            Dictionary<string, List<int>[]> seqIds = await SearchAllAsync(connection, queries, "Seq Scan on seqs", setting, failures);

            foreach (string column in Columns)
            {
                for (int q = 0; q < queries.Count; q++)
                {
                    Prediction prediction = predictions[column][q];
                    List<int> viaIndex = indexIds[column][q];
                    List<int> viaSeq = seqIds[column][q];
                    checkedSearches++;
                    searchesWithHits += prediction.Ids.Count > 0 ? 1 : 0;
                    searchesWithoutKeys += prediction.QueryKeys == 0 ? 1 : 0;
                    if (!viaIndex.SequenceEqual(prediction.Ids) || !viaSeq.SequenceEqual(prediction.Ids))
                    {
                        failures.Add(
                            $"{setting}, {column} =% '{queries[q]}' (|Q| = {prediction.QueryKeys}, threshold {prediction.Threshold}): " +
                            $"index scan {Difference(viaIndex, prediction.Ids)}, sequential scan {Difference(viaSeq, prediction.Ids)} " +
                            $"(predicted {prediction.Ids.Count} rows)");
                    }
                }
            }

            await CheckScoresAsync(connection, rows, queries, predictions, setting, failures);
            await DatabaseFixture.ExecuteAsync(connection, "DROP INDEX seqs_d2_kmer, seqs_d4_kmer");
        }

        Assert.True(failures.Count == 0, failures.Report());

        // Guard against a vacuous pass: enough searches found rows, some had no keys.
        Assert.True(searchesWithHits * 4 >= checkedSearches, $"Only {searchesWithHits} of {checkedSearches} searches were predicted to find rows.");
        Assert.True(searchesWithoutKeys > 0, "No query without keys was generated.");
    }

    private static async Task AssertSessionSettingsAsync(NpgsqlConnection connection, SearchSetting setting)
    {
        await using var command = new NpgsqlCommand(
            "SELECT current_setting('kmersearch.kmer_size')::integer, current_setting('kmersearch.occur_bitlen')::integer, " +
            "current_setting('kmersearch.min_score')::integer, current_setting('kmersearch.min_shared_kmer_rate')::float8",
            connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(
            setting,
            new SearchSetting(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetDouble(3)));
    }

    /// <summary>Binary COPY, each value in the type's wire format from <see cref="DnaCodec.WriteWire(PackedDna)"/>.</summary>
    private static async Task LoadAsync(NpgsqlConnection connection, List<SequenceRow> rows)
    {
        // Binary COPY carries no type information per field: the server hands
        // the bytes to the column type's receive function, so writing them as
        // bytea sends exactly the DNA2/DNA4 wire format.
        await using NpgsqlBinaryImporter writer = await connection.BeginBinaryImportAsync("COPY seqs (id, d2, d4) FROM STDIN (FORMAT binary)");
        foreach (SequenceRow row in rows)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(row.Id, NpgsqlDbType.Integer);
            await WriteDnaAsync(writer, row.Dna2);
            await WriteDnaAsync(writer, row.Dna4);
        }

        ulong written = await writer.CompleteAsync();
        Assert.Equal((ulong)rows.Count, written);
    }

    private static async Task WriteDnaAsync(NpgsqlBinaryImporter writer, PackedDna? value)
    {
        if (value is PackedDna dna)
        {
            await writer.WriteAsync(DnaCodec.WriteWire(dna), NpgsqlDbType.Bytea);
        }
        else
        {
            await writer.WriteNullAsync();
        }
    }

    /// <summary>Every stored value prints as the generated text in upper case with U as T.</summary>
    private static async Task AssertStoredAsync(NpgsqlConnection connection, List<SequenceRow> rows)
    {
        await using var command = new NpgsqlCommand("SELECT id, d2::text, d4::text FROM seqs ORDER BY id", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        int count = 0;
        while (await reader.ReadAsync())
        {
            SequenceRow row = rows[reader.GetInt32(0) - 1];
            Assert.Equal(Normalise(row.Dna2Text), reader.IsDBNull(1) ? null : reader.GetString(1));
            Assert.Equal(Normalise(row.Dna4Text), reader.IsDBNull(2) ? null : reader.GetString(2));
            count++;
        }

        Assert.Equal(rows.Count, count);
    }

    private static string? Normalise(string? text) => text?.ToUpperInvariant().Replace('U', 'T');

    /// <summary>
    /// Runs every query against both columns with the current planner settings,
    /// checking with EXPLAIN that the plan contains <paramref name="planNode"/>
    /// ("{0}" stands for the column).
    /// </summary>
    private static async Task<Dictionary<string, List<int>[]>> SearchAllAsync(
        NpgsqlConnection connection, List<string> queries, string planNode, SearchSetting setting, FailureLog failures)
    {
        var results = new Dictionary<string, List<int>[]>(StringComparer.Ordinal);
        foreach (string column in Columns)
        {
            var ids = new List<int>[queries.Count];
            string expectedNode = string.Format(CultureInfo.InvariantCulture, planNode, column);
            for (int q = 0; q < queries.Count; q++)
            {
                string sql = $"SELECT id FROM seqs WHERE {column} =% $1";
                string plan = await ExplainAsync(connection, sql, queries[q]);
                if (!plan.Contains(expectedNode, StringComparison.Ordinal))
                {
                    failures.Add($"{setting}, {column} =% '{queries[q]}': expected a plan with \"{expectedNode}\", got:\n{plan}");
                }

                ids[q] = await IdsAsync(connection, sql, queries[q]);
            }

            results[column] = ids;
        }

        return results;
    }

    private static async Task<string> ExplainAsync(NpgsqlConnection connection, string sql, string query)
    {
        await using NpgsqlCommand command = Command(connection, "EXPLAIN (COSTS OFF) " + sql, query);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var plan = new StringBuilder();
        while (await reader.ReadAsync())
        {
            plan.AppendLine(reader.GetString(0));
        }

        return plan.ToString();
    }

    private static async Task<List<int>> IdsAsync(NpgsqlConnection connection, string sql, string query)
    {
        await using NpgsqlCommand command = Command(connection, sql, query);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var ids = new List<int>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt32(0));
        }

        ids.Sort();
        return ids;
    }

    /// <summary><c>kmersearch_matchscore</c> of every row and query against the predicted shared-key counts.</summary>
    private static async Task CheckScoresAsync(
        NpgsqlConnection connection,
        List<SequenceRow> rows,
        List<string> queries,
        Dictionary<string, Prediction[]> predictions,
        SearchSetting setting,
        FailureLog failures)
    {
        for (int q = 0; q < queries.Count; q++)
        {
            await using NpgsqlCommand command = Command(
                connection, "SELECT id, kmersearch_matchscore(d2, $1), kmersearch_matchscore(d4, $1) FROM seqs", queries[q]);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            int count = 0;
            while (await reader.ReadAsync())
            {
                int index = reader.GetInt32(0) - 1;
                for (int c = 0; c < Columns.Length; c++)
                {
                    int? actual = reader.IsDBNull(c + 1) ? null : reader.GetInt32(c + 1);
                    int? expected = predictions[Columns[c]][q].Scores[index];
                    if (actual != expected)
                    {
                        SequenceRow row = rows[index];
                        failures.Add(
                            $"{setting}: kmersearch_matchscore('{(c == 0 ? row.Dna2Text : row.Dna4Text)}'::{(c == 0 ? "DNA2" : "DNA4")}, '{queries[q]}') " +
                            $"(row {row.Id}) = {Show(actual)}, predicted {Show(expected)}");
                    }
                }

                count++;
            }

            Assert.Equal(rows.Count, count);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, string query)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = query, NpgsqlDbType = NpgsqlDbType.Text });
        return command;
    }

    /// <summary>
    /// The spec's answer for each query: score = |keys(v) ∩ keys(q)| (NULL for
    /// a NULL value), and a row matches iff |Q| ≥ 1 and score ≥ threshold.
    /// </summary>
    private static Prediction[] Predict(
        SearchSetting setting, NgramKeyExtractor extractor, List<SequenceRow> rows, List<string> queries, Func<SequenceRow, PackedDna?> column)
    {
        var keySets = new HashSet<ulong>?[rows.Count];
        var keys = new List<ulong>();
        for (int i = 0; i < rows.Count; i++)
        {
            if (column(rows[i]) is PackedDna value)
            {
                keys.Clear();
                extractor.Extract(value, keys);
                keySets[i] = [.. keys];
            }
        }

        var predictions = new Prediction[queries.Count];
        for (int q = 0; q < queries.Count; q++)
        {
            keys.Clear();
            extractor.ExtractQuery(queries[q], keys);
            int threshold = setting.Threshold(keys.Count);
            var scores = new int?[rows.Count];
            var ids = new List<int>();
            for (int i = 0; i < rows.Count; i++)
            {
                if (keySets[i] is not HashSet<ulong> stored)
                {
                    continue;
                }

                int shared = 0;
                foreach (ulong key in keys)
                {
                    shared += stored.Contains(key) ? 1 : 0;
                }

                scores[i] = shared;
                if (keys.Count > 0 && shared >= threshold)
                {
                    ids.Add(rows[i].Id);
                }
            }

            predictions[q] = new Prediction(keys.Count, threshold, ids, scores);
        }

        return predictions;
    }

    private static string Difference(List<int> actual, List<int> expected)
    {
        if (actual.SequenceEqual(expected))
        {
            return "agrees";
        }

        List<int> extra = actual.Except(expected).ToList();
        List<int> missing = expected.Except(actual).ToList();
        return $"returned {actual.Count} rows, extra ids [{Ids(extra)}], missing ids [{Ids(missing)}]";
    }

    private static string Ids(List<int> ids) =>
        string.Join(", ", ids.Take(10)) + (ids.Count > 10 ? $", … ({ids.Count})" : string.Empty);

    private static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "NULL";

    private sealed record Prediction(int QueryKeys, int Threshold, List<int> Ids, int?[] Scores);
}
