using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.ExceptionServices;
using Kmer.Core;
using Kmer.Core.Counting;
using Npgsql;
using NpgsqlTypes;

namespace Kmer.Worker.Analysis;

/// <summary>
/// The parallel scan of one analysis: readers, each on its own session,
/// take block ranges from one queue until it is empty, read each with a TID
/// range scan through binary COPY, and count the n-gram keys of every
/// non-NULL value into their own <see cref="KeyCountWriter"/>.
/// </summary>
/// <remarks>
/// A value is decoded from its binary send format (<see cref="DnaCodec.ReadWireView"/>)
/// and its keys computed by one <see cref="NgramKeyExtractor"/> per reader,
/// whose buffers are reused; keys are unique within a value, so each key's
/// count is the number of rows containing it. Every row read, NULL or not,
/// counts toward <see cref="RowsRead"/>, which at the end is the exact number
/// of rows under the readers' snapshot. The first reader error (e.g. a
/// PostgreSQL error in a session) stops the others and is rethrown; the
/// call's cancellation stops every reader at once.
/// </remarks>
internal sealed class KeyScan
{
    // Rows a reader reads before it adds them to the shared progress count.
    private const int ProgressChunk = 4096;

    private readonly ConcurrentQueue<BlockRange> _queue;
    private readonly string _quotedColumn;
    private readonly DnaAlphabet _alphabet;
    private readonly KmerSettings _kmer;
    private long _rowsRead;
    private int _rangesDone;
    private int _readersUsed;
    private Exception? _failure;

    public KeyScan(IReadOnlyList<BlockRange> ranges, ResolvedColumn column, KmerSettings kmer)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(column);
        _queue = new ConcurrentQueue<BlockRange>(ranges);
        TotalRanges = ranges.Count;
        _quotedColumn = DatabaseSessions.QuoteIdentifier(column.Name);
        _alphabet = column.Alphabet;
        _kmer = kmer;
    }

    /// <summary>The number of ranges to read.</summary>
    public int TotalRanges { get; }

    /// <summary>Rows read so far (NULLs included); exact once <see cref="RunAsync"/> has completed.</summary>
    public long RowsRead => Interlocked.Read(ref _rowsRead);

    /// <summary>Ranges read completely so far.</summary>
    public int RangesDone => Volatile.Read(ref _rangesDone);

    /// <summary>Readers that took at least one range.</summary>
    public int ReadersUsed => Volatile.Read(ref _readersUsed);

    /// <summary>
    /// Runs one reader per session until every range is read, counting into
    /// <paramref name="counter"/>. Each reader completes its writer when it
    /// finishes without error.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="Exception">The first error a reader met (a <see cref="PostgresException"/> crosses as raised).</exception>
    public async Task RunAsync(IReadOnlyList<NpgsqlConnection> sessions, KeyCounter counter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(counter);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readers = new Task[sessions.Count];
        for (int i = 0; i < readers.Length; i++)
        {
            NpgsqlConnection session = sessions[i];
            KeyCountWriter writer = counter.CreateWriter();
            // A thread of its own: the reads block on the socket (the pool's threads stay free).
            readers[i] = Task.Factory.StartNew(() => Read(session, writer, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        // The readers catch their own errors, so this never throws.
        await Task.WhenAll(readers).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref _failure) is Exception failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void Read(NpgsqlConnection session, KeyCountWriter writer, CancellationTokenSource stop)
    {
        CancellationToken cancellationToken = stop.Token;
        try
        {
            using (writer)
            {
                var reader = new Reader(new NgramKeyExtractor(_kmer), _alphabet, writer);
                bool used = false;
                while (_queue.TryDequeue(out BlockRange? range))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!used)
                    {
                        used = true;
                        Interlocked.Increment(ref _readersUsed);
                    }

                    ReadRange(session, range, reader, cancellationToken);
                    Interlocked.Increment(ref _rangesDone);
                }

                writer.Complete();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Cancelled, or stopped because another reader failed.
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _failure, ex, null);
            stop.Cancel();
        }
    }

    /// <summary>Reads the rows of one block range through binary COPY into <paramref name="reader"/>.</summary>
    /// <remarks>
    /// Synchronous reads: per row, the asynchronous ones cost as much as
    /// counting the keys of a read at small k. A cancel is seen at the next
    /// row, and a read waiting for the server is ended by PostgreSQL's cancel
    /// request, as an asynchronous read's cancellation would.
    /// </remarks>
    private void ReadRange(NpgsqlConnection session, BlockRange range, Reader reader, CancellationToken cancellationToken)
    {
        NpgsqlBinaryExporter export = session.BeginBinaryExport(range.CopyCommand(_quotedColumn));
        bool consumed = false;
        try
        {
            long pending = 0;
            using (cancellationToken.Register(static e => ((NpgsqlBinaryExporter)e!).Cancel(), export))
            {
                while (export.StartRow() != -1)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (export.IsNull)
                    {
                        export.Skip();
                    }
                    else
                    {
                        reader.Add(export.Read<byte[]>(NpgsqlDbType.Bytea));
                    }

                    if (++pending == ProgressChunk)
                    {
                        Interlocked.Add(ref _rowsRead, pending);
                        pending = 0;
                    }
                }
            }

            Interlocked.Add(ref _rowsRead, pending);
            consumed = true;
        }
        finally
        {
            if (consumed)
            {
                export.Dispose();
            }
            else
            {
                // The COPY was interrupted; the session is given up anyway, and
                // the error that interrupted it is the one to report.
                try
                {
                    export.Dispose();
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException or OperationCanceledException)
                {
                }
            }
        }
    }

    /// <summary>One reader's decoding state: its extractor and key buffer, reused for every value.</summary>
    private sealed class Reader(NgramKeyExtractor extractor, DnaAlphabet alphabet, KeyCountWriter writer)
    {
        private ulong[] _keys = new ulong[256];

        public void Add(byte[] wire)
        {
            // A view of the row's bytes (no copy): the keys are extracted before the next row.
            PackedDna value = DnaCodec.ReadWireView(alphabet, wire);
            int max = extractor.MaxKeys(alphabet, value.Length);
            if (max == 0)
            {
                // Shorter than k: no keys (DECISIONS Q7).
                return;
            }

            if (max > _keys.Length)
            {
                _keys = new ulong[max <= (1 << 30) ? (int)BitOperations.RoundUpToPowerOf2((uint)max) : max];
            }

            int count = extractor.Extract(value, _keys);
            if (count > 0)
            {
                writer.AddRow(_keys.AsSpan(0, count));
            }
        }
    }
}
