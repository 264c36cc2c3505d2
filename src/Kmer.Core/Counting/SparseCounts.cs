using System.Runtime.InteropServices;

namespace Kmer.Core.Counting;

/// <summary>
/// The sparse strategy: every writer counts into tables of its own (no locks
/// per key), all tables share one memory account, and what does not fit goes
/// to spill files partitioned by the keys' hash.
/// </summary>
/// <remarks>
/// <para>
/// <b>Partitions.</b> A key's partition is the top <see cref="PartitionBits"/>
/// (4..8) bits of its hash (<see cref="KeyHash"/>): 256 partitions from a
/// 16 MiB limit up, fewer below so that a writer's empty tables (16 slots a
/// partition) stay small. Each writer has one table per partition.
/// </para>
/// <para>
/// <b>Memory.</b> A table doubles when three quarters full if the account
/// grants the new size (the old one is released after the move, so the move
/// itself is accounted) and the writer stays within its share, the limit less
/// the tables held for completed writers, divided by the writers still
/// counting. Otherwise the writer spills: each of its tables is compacted in
/// place, appended to the writer's file for that partition as raw records
/// (see <see cref="CountSlot"/>) and emptied, keeping its size. A writer's
/// <see cref="HotKeyCache"/>, if the account had room for it when the writer
/// was made, is not spilled; it is drained into the tables when the writer
/// completes. Likewise its <see cref="PartitionBatches"/> (keys waiting to be
/// added to their table, a 64th of the limit at most): keys still waiting
/// when the writer spills go to the emptied tables later, and every batch is
/// added when the writer completes.
/// </para>
/// <para>
/// <b>Completion.</b> While nothing has spilled, a completed writer's tables
/// are held in memory as they are. From the first spill on, held tables are
/// spilled as well, and so is every writer that completes afterwards, so at
/// selection either everything is in memory or everything is on disk.
/// </para>
/// <para>
/// <b>Selection.</b> Partitions are processed on up to one thread per core
/// (from disk: with a slice of the limit each, at least 64 KiB).
/// In memory, a partition's tables are read where they are: only keys above
/// the threshold's share in one table are looked up in the others (see
/// <c>SelectPartition</c>), which needs no memory. From disk, see
/// <see cref="SpilledPartitionReader"/>. The keys found are sorted at the end.
/// </para>
/// </remarks>
internal sealed class SparseCounts : CountingStrategy
{
    private readonly List<SparseWriter> _writers = [];
    private readonly List<SparseWriter> _held = [];
    private long _heldBytes;
    private volatile bool _spilled;

    public SparseCounts(int keyBits, long memoryLimitBytes, string spillDirectory)
        : base(keyBits, memoryLimitBytes)
    {
        // Its tables may fill the limit: no dense arrays kept beside them.
        KeptCounterArrays.Release();
        PartitionBits = ChoosePartitionBits(memoryLimitBytes);
        Store = new SpillStore(spillDirectory);
    }

    public int PartitionBits { get; }

    public SpillStore Store { get; }

    public override int SpillFileCount => Store.CreatedCount;

    /// <summary>256 partitions from a 16 MiB limit up; at 1 MiB, 16.</summary>
    public static int ChoosePartitionBits(long memoryLimitBytes)
    {
        int bits = 4;
        while (bits < 8 && (memoryLimitBytes >> 16) >= 1L << (bits + 1))
        {
            bits++;
        }

        return bits;
    }

    /// <summary>May a writer that holds <paramref name="writerBytes"/> reserve <paramref name="moreBytes"/> more to grow a table?</summary>
    internal bool TryReserveGrowth(long writerBytes, long moreBytes)
    {
        long share = (Budget.Limit - Volatile.Read(ref _heldBytes)) / Math.Max(1, LiveWriters);
        return writerBytes + moreBytes <= share && Budget.TryReserve(moreBytes);
    }

    /// <summary>A writer has spilled: from now on everything else is spilled too.</summary>
    internal void WriterSpilled()
    {
        _spilled = true;
        SpillHeld();
    }

    /// <summary>
    /// A writer is done (its cache already drained): its tables are held in
    /// memory while nothing has spilled, else spilled and released.
    /// </summary>
    internal void Complete(SparseWriter writer)
    {
        if (IsDisposed)
        {
            writer.Drop();
            WriterCompleted();
            return;
        }

        bool hold;
        lock (Sync)
        {
            hold = !_spilled;
            if (hold)
            {
                _held.Add(writer);
                _heldBytes += writer.ReservedBytes;
            }
        }

        try
        {
            if (!hold)
            {
                writer.SpillAndRelease();
            }
        }
        finally
        {
            WriterCompleted();
        }
    }

    protected override WriterCore CreateWriterCore()
    {
        // The hot-key cache only if it fits now; the empty tables in any case.
        HotKeyCache? cache = new HotKeyCache(HotKeyCache.BitsFor(Budget.Limit));
        if (!Budget.TryReserve(cache.Bytes))
        {
            cache = null;
        }

        // The partition batches likewise; without them keys go to the tables one by one.
        PartitionBatches? batches = null;
        int batchBits = PartitionBatches.BatchBitsFor(Budget.Limit, PartitionBits);
        if (batchBits >= 0)
        {
            batches = new PartitionBatches(1 << PartitionBits, batchBits);
            if (!Budget.TryReserve(batches.Bytes))
            {
                batches = null;
            }
        }

        SparseWriter writer;
        lock (Sync)
        {
            writer = new SparseWriter(this, _writers.Count, cache, batches);
            _writers.Add(writer);
        }

        long bytes = writer.ReservedBytes;
        if (!Budget.TryReserve(bytes))
        {
            // The other writers hold the whole limit: make room by spilling the
            // completed ones, else take the few empty tables past the limit.
            _spilled = true;
            SpillHeld();
            if (!Budget.TryReserve(bytes))
            {
                Budget.Reserve(bytes);
            }
        }

        return writer;
    }

    protected override IReadOnlyList<KeyCount> SelectCore(long threshold, CancellationToken cancellationToken)
    {
        SparseWriter[] writers;
        lock (Sync)
        {
            writers = [.. _writers];
        }

        List<KeyCount> result;
        if (_spilled)
        {
            SpillHeld();
            result = SelectFromFiles(writers, threshold, cancellationToken);
        }
        else
        {
            SparseWriter[] held;
            lock (Sync)
            {
                held = [.. _held];
                _held.Clear();
                _heldBytes = 0;
            }

            result = SelectInMemory(held, threshold, cancellationToken);
        }

        CollectionsMarshal.AsSpan(result).Sort(default(HashOrder));
        return result;
    }

    protected override void DisposeCore()
    {
        Store.Dispose();
        lock (Sync)
        {
            foreach (SparseWriter writer in _held)
            {
                writer.Drop();
            }

            _held.Clear();
            _heldBytes = 0;
        }
    }

    /// <summary>Spills the tables of every completed writer still held in memory.</summary>
    private void SpillHeld()
    {
        lock (Sync)
        {
            foreach (SparseWriter writer in _held)
            {
                writer.SpillAndRelease();
            }

            _held.Clear();
            _heldBytes = 0;
        }
    }

    private List<KeyCount> SelectInMemory(SparseWriter[] held, long threshold, CancellationToken cancellationToken)
    {
        var result = new List<KeyCount>();
        try
        {
            ParallelPartitions.Run(
                1 << PartitionBits,
                Environment.ProcessorCount,
                static () => new List<KeyCount>(),
                (partition, found) =>
                {
                    SelectPartition(held, partition, threshold, found);
                    PartitionSelected?.Invoke();
                },
                found =>
                {
                    lock (result)
                    {
                        result.AddRange(found);
                    }
                },
                cancellationToken);
        }
        finally
        {
            // Tables of partitions not reached (cancellation, error) go back to the account.
            foreach (SparseWriter writer in held)
            {
                writer.Drop();
            }
        }

        return result;
    }

    /// <summary>
    /// Selects one partition's keys counted in more than <paramref name="threshold"/>
    /// rows across the writers' tables, without merging them (so without
    /// memory): a key whose counts in n tables add up to more than the
    /// threshold has more than ⌊threshold / n⌋ in at least one of them, so only
    /// those keys are looked up in the other tables, and each is reported from
    /// the first table where it passes.
    /// </summary>
    private void SelectPartition(SparseWriter[] held, int partition, long threshold, List<KeyCount> found)
    {
        var tables = new List<CountTable>(held.Length);
        foreach (SparseWriter writer in held)
        {
            CountTable table = writer.TakeTable(partition);
            if (table.Used == 0)
            {
                Budget.Release(table.Bytes);
            }
            else
            {
                tables.Add(table);
            }
        }

        long share = threshold / Math.Max(1, tables.Count);
        for (int t = 0; t < tables.Count; t++)
        {
            foreach (ref readonly CountSlot slot in tables[t].Slots.AsSpan())
            {
                if (slot.Count <= share)
                {
                    continue;
                }

                long total = slot.Count;
                bool reported = false;
                for (int u = 0; u < tables.Count && !reported; u++)
                {
                    if (u != t)
                    {
                        long count = tables[u].CountOf(slot.Hash);
                        reported = u < t && count > share;
                        total += count;
                    }
                }

                if (!reported && total > threshold)
                {
                    found.Add(new KeyCount(slot.Hash * KeyHash.Inverse, total));
                }
            }
        }

        foreach (CountTable table in tables)
        {
            Budget.Release(table.Bytes);
        }
    }

    private List<KeyCount> SelectFromFiles(SparseWriter[] writers, long threshold, CancellationToken cancellationToken)
    {
        // One slice of the limit per thread, none below 64 KiB.
        int partitions = 1 << PartitionBits;
        int degree = (int)Math.Min(Math.Min(Environment.ProcessorCount, partitions), Budget.Limit >> 16);
        long slice = Budget.Limit / degree;
        var result = new List<KeyCount>();
        ParallelPartitions.Run(
            partitions,
            degree,
            () => new SpilledPartitionReader(Budget, Store, slice, threshold),
            (partition, reader) =>
            {
                var sources = new List<SpillSource>(writers.Length);
                foreach (SparseWriter writer in writers)
                {
                    string? path = writer.File(partition);
                    if (path is not null)
                    {
                        sources.Add(new SpillSource(path, writer.FileLength(partition)));
                    }
                }

                reader.Process(sources, PartitionBits, cancellationToken);
                foreach (SparseWriter writer in writers)
                {
                    writer.ForgetFile(partition);
                }

                PartitionSelected?.Invoke();
            },
            reader =>
            {
                reader.Dispose();
                lock (result)
                {
                    result.AddRange(reader.Found);
                }
            },
            cancellationToken);
        return result;
    }
}
