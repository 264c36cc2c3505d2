using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Kmer.Protocol;
using Npgsql;
using NpgsqlTypes;

namespace Kmer.Worker.Partitioning;

/// <summary>
/// Builds the leaf partitions' indexes of a <see cref="ParallelIndexPlan"/>
/// concurrently, each <c>CREATE INDEX</c> on one of a few sessions back to the
/// caller's server (acting as the caller, with its k-mer settings), each
/// statement committed on its own. Largest partitions first; a failing
/// partition is recorded and the others go on; cancellation cancels every
/// running statement.
/// </summary>
internal sealed class ParallelIndexBuilder
{
    private readonly HandlerContext _context;
    private readonly DatabaseSessions _sessions;
    private readonly ParallelIndexPlan _plan;
    private readonly ParallelIndexSettings _settings;
    private readonly int _parallelism;
    private readonly ConcurrentDictionary<long, ParallelIndexOutcome> _outcomes = new();
    private readonly SemaphoreSlim _report = new(1, 1);
    private int _done;
    private int _total;
    private int _sessionCount = 1;

    public ParallelIndexBuilder(HandlerContext context, DatabaseSessions sessions, ParallelIndexPlan plan, ParallelIndexSettings settings, int parallelism)
    {
        _context = context;
        _sessions = sessions;
        _plan = plan;
        _settings = settings;
        _parallelism = parallelism;
    }

    /// <summary>Builds every leaf not reused; returns one outcome per leaf, in tree order.</summary>
    public async Task<IReadOnlyList<ParallelIndexOutcome>> BuildAsync(CancellationToken cancellationToken)
    {
        List<ParallelIndexNode> leaves = [.. _plan.Leaves];
        _total = leaves.Count;
        foreach (ParallelIndexNode leaf in leaves.Where(l => _plan.Reusable.Contains(l.Oid)))
        {
            long rows = await ReusedRowsAsync(leaf, cancellationToken).ConfigureAwait(false);
            await ReportAsync(new ParallelIndexOutcome(leaf, rows, 0, null, true, null, Reused: true), cancellationToken).ConfigureAwait(false);
        }

        var queue = new ConcurrentQueue<ParallelIndexNode>(leaves
            .Where(l => !_plan.Reusable.Contains(l.Oid))
            .OrderByDescending(l => l.Pages)
            .ThenBy(l => l.Oid));
        int sessions = Math.Min(_parallelism, queue.Count);
        if (sessions > 0)
        {
            _sessionCount = sessions;
            // Open every session first: a failure to connect back ends the call before anything is built.
            List<Session> opened = [];
            try
            {
                Task<Session>[] opening = [.. Enumerable.Range(0, sessions).Select(_ => OpenAsync(cancellationToken))];
                try
                {
                    await Task.WhenAll(opening).ConfigureAwait(false);
                }
                finally
                {
                    opened.AddRange(opening.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
                }

                await Task.WhenAll(opened.Select(s => RunAsync(s, queue, cancellationToken))).ConfigureAwait(false);
            }
            finally
            {
                foreach (Session session in opened)
                {
                    await session.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        // Only when every session broke and could not be reopened.
        foreach (ParallelIndexNode leaf in queue)
        {
            await ReportAsync(new ParallelIndexOutcome(leaf, 0, 0, null, false, "not built: every build session lost its connection"), cancellationToken)
                .ConfigureAwait(false);
        }

        return [.. leaves.Select(l => _outcomes[l.Oid])];
    }

    private async Task RunAsync(Session session, ConcurrentQueue<ParallelIndexNode> queue, CancellationToken cancellationToken)
    {
        while (queue.TryDequeue(out ParallelIndexNode? leaf))
        {
            if (session.Connection.FullState.HasFlag(System.Data.ConnectionState.Broken))
            {
                try
                {
                    await session.ReopenAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when ((ex is NpgsqlException or CallFailedException) && !cancellationToken.IsCancellationRequested)
                {
                    // Leave the partition to another session, if any is left.
                    queue.Enqueue(leaf);
                    return;
                }
            }

            ParallelIndexOutcome outcome = await BuildOneAsync(session, leaf, cancellationToken).ConfigureAwait(false);
            await ReportAsync(outcome, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ParallelIndexOutcome> BuildOneAsync(Session session, ParallelIndexNode leaf, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await using (var build = new NpgsqlCommand(_plan.BuildStatement(leaf), session.Connection))
            {
                await build.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            long elapsed = clock.ElapsedMilliseconds;
            await using var count = new NpgsqlCommand("SELECT reltuples FROM pg_catalog.pg_class WHERE oid = $1", session.Connection)
            {
                Parameters = { new NpgsqlParameter { Value = (uint)leaf.Oid, NpgsqlDbType = NpgsqlDbType.Oid } },
            };
            object? reltuples = await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return new ParallelIndexOutcome(leaf, Rows(reltuples), elapsed, session.Pid, true, null);
        }
        catch (PostgresException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new ParallelIndexOutcome(leaf, 0, clock.ElapsedMilliseconds, session.Pid, false, $"{ex.MessageText} (SQLSTATE {ex.SqlState})");
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new ParallelIndexOutcome(leaf, 0, clock.ElapsedMilliseconds, session.Pid, false, ex.Message);
        }
    }

    private async Task<long> ReusedRowsAsync(ParallelIndexNode leaf, CancellationToken cancellationToken)
    {
        SpiResult result = await _context.ExecuteSpiAsync(
            "SELECT reltuples::float8 FROM pg_catalog.pg_class WHERE oid = $1",
            [leaf.Oid],
            ["oid"],
            readOnly: true,
            cancellationToken).ConfigureAwait(false);
        return result.Rows.Count == 0 ? 0 : Rows(result.Rows[0][0]);
    }

    // reltuples is -1 for a table never vacuumed or analysed that the build found empty.
    private static long Rows(object? reltuples) =>
        reltuples is null ? 0 : Math.Max(0, (long)Math.Round(Convert.ToDouble(reltuples, CultureInfo.InvariantCulture)));

    private async Task ReportAsync(ParallelIndexOutcome outcome, CancellationToken cancellationToken)
    {
        await _report.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _outcomes[outcome.Partition.Oid] = outcome;
            _done++;
            _context.ReportProgress(_total == 0 ? 1 : (double)_done / _total);
            string step = string.Create(CultureInfo.InvariantCulture, $"{_done}/{_total}");
            ParallelIndexNode p = outcome.Partition;
            if (outcome.Reused)
            {
                await _context.SendNoticeAsync(NoticeLevel.Notice,
                    string.Create(CultureInfo.InvariantCulture,
                        $"partition {step}: kept index \"{p.IndexName}\" on \"{p.Name}\" from an earlier call"),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else if (outcome.Success)
            {
                await _context.SendNoticeAsync(NoticeLevel.Notice,
                    string.Create(CultureInfo.InvariantCulture,
                        $"partition {step}: built index \"{p.IndexName}\" on \"{p.Name}\" in {outcome.ElapsedMs} ms (backend {outcome.WorkerPid})"),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _context.SendNoticeAsync(NoticeLevel.Warning,
                    $"partition {step}: could not build index \"{p.IndexName}\" on \"{p.Name}\": {outcome.ErrorMessage}",
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _report.Release();
        }
    }

    private async Task<Session> OpenAsync(CancellationToken cancellationToken)
    {
        var session = new Session(this);
        await session.ReopenAsync(cancellationToken).ConfigureAwait(false);
        return session;
    }

    /// <summary>One build session: a connection acting as the caller, its backend pid, lock_timeout and maintenance_work_mem set.</summary>
    private sealed class Session(ParallelIndexBuilder owner) : IAsyncDisposable
    {
        private NpgsqlConnection? _connection;

        public NpgsqlConnection Connection => _connection ?? throw new InvalidOperationException("The session is not open.");

        public int Pid { get; private set; }

        public async Task ReopenAsync(CancellationToken cancellationToken)
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }

            NpgsqlConnection connection = await owner._sessions.OpenAsCallerAsync(owner._context, importSnapshot: false, cancellationToken).ConfigureAwait(false);
            try
            {
                await using var setup = new NpgsqlCommand(
                    "SELECT pg_catalog.pg_backend_pid(), pg_catalog.set_config('lock_timeout', $1, false), pg_catalog.set_config('maintenance_work_mem', $2, false)",
                    connection)
                {
                    Parameters =
                    {
                        new NpgsqlParameter { Value = owner._settings.SessionLockTimeoutMs.ToString(CultureInfo.InvariantCulture), NpgsqlDbType = NpgsqlDbType.Text },
                        new NpgsqlParameter { Value = owner._settings.SessionMaintenanceWorkMemKb(owner._sessionCount).ToString(CultureInfo.InvariantCulture), NpgsqlDbType = NpgsqlDbType.Text },
                    },
                };
                Pid = (int)(await setup.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                _connection = connection;
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }
        }
    }
}
