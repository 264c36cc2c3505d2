using Microsoft.Win32.SafeHandles;

namespace Kmer.Core.Counting;

/// <summary>
/// One writer of the sparse strategy: a table per partition (the top
/// <see cref="SparseCounts.PartitionBits"/> bits of the key's hash), each
/// growing on its own while the memory account allows; when a table may not
/// grow, every table of the writer is spilled to the writer's partition files
/// and emptied. Keys reach the tables in batches, one partition at a time (see
/// <see cref="PartitionBatches"/>), when the account had room for the batches.
/// Used by one thread at a time, except that a completed writer's tables are
/// handed to the counter.
/// </summary>
internal sealed class SparseWriter : WriterCore
{
    /// <summary>
    /// How many keys ahead of the one being added a batch loads the slot: enough
    /// to keep a few dozen loads from memory in flight.
    /// </summary>
    private const int PrefetchDistance = 32;

    private readonly SparseCounts _owner;
    private readonly int _partitionBits;
    private readonly CountTable[] _tables;
    private readonly long[] _fileLengths;
    private readonly string?[] _files;
    private long _reservedBytes;
    private HotKeyCache? _cache;
    private long _cacheBytes;
    private PartitionBatches? _batches;
    private long _batchBytes;

    /// <summary>
    /// A writer with empty tables; the caller reserves <see cref="ReservedBytes"/>,
    /// and the cache and the batches when <paramref name="cache"/> and <paramref name="batches"/> are given.
    /// </summary>
    public SparseWriter(SparseCounts owner, int id, HotKeyCache? cache, PartitionBatches? batches)
    {
        _cache = cache;
        _cacheBytes = cache?.Bytes ?? 0;
        _batches = batches;
        _batchBytes = batches?.Bytes ?? 0;
        _owner = owner;
        Id = id;
        _partitionBits = owner.PartitionBits;
        int partitions = 1 << _partitionBits;
        _tables = new CountTable[partitions];
        for (int p = 0; p < partitions; p++)
        {
            _tables[p] = new CountTable(CountTable.MinBits, _partitionBits);
        }

        _fileLengths = new long[partitions];
        _files = new string?[partitions];
        _reservedBytes = partitions * (long)CountSlot.Size << CountTable.MinBits;
    }

    /// <summary>The writer's number, part of its files' names.</summary>
    public int Id { get; }

    /// <summary>Bytes of table this writer holds in the memory account.</summary>
    public long ReservedBytes => Volatile.Read(ref _reservedBytes);

    /// <summary>The bytes written to this writer's file for partition <paramref name="partition"/> (0: no file).</summary>
    public long FileLength(int partition) => _fileLengths[partition];

    /// <summary>This writer's file for partition <paramref name="partition"/>, if any.</summary>
    public string? File(int partition) => _files[partition];

    /// <summary>Forgets the file of <paramref name="partition"/> once the selection has consumed and deleted it.</summary>
    public void ForgetFile(int partition)
    {
        _files[partition] = null;
        _fileLengths[partition] = 0;
    }

    /// <summary>Takes the table of <paramref name="partition"/> out of the writer (leaving an empty one that holds no memory).</summary>
    public CountTable TakeTable(int partition)
    {
        CountTable table = _tables[partition];
        _tables[partition] = default;
        Interlocked.Add(ref _reservedBytes, -table.Bytes);
        return table;
    }

    public override void AddRow(ReadOnlySpan<ulong> keys)
    {
        _owner.CheckKeys(keys);
        if (_cache is null)
        {
            AddToTables(keys);
            return;
        }

        AddToTables(_cache.Absorb(keys, out bool drain));
        if (drain)
        {
            DrainCache();
        }
    }

    public override void Complete()
    {
        if (_cache is not null)
        {
            if (!_owner.IsDisposed)
            {
                DrainCache();
            }

            _cache = null;
            _owner.Budget.Release(_cacheBytes);
            _cacheBytes = 0;
        }

        if (_batches is not null)
        {
            if (!_owner.IsDisposed)
            {
                AddWaitingBatches();
            }

            ReleaseBatches();
        }

        _owner.Complete(this);
    }

    /// <summary>Adds <paramref name="count"/> to one key's count in the tables (drained from the cache).</summary>
    public void AddCount(ulong key, long count)
    {
        ulong hash = key * KeyHash.Multiplier;
        int partition = (int)(hash >> (64 - _partitionBits));
        ref CountTable table = ref _tables[partition];
        if (table.Add(hash, count) && table.IsFull)
        {
            GrowOrSpill(partition);
        }
    }

    /// <summary>Spills every table and gives their memory back; the writer takes no more keys.</summary>
    public void SpillAndRelease()
    {
        Spill();
        for (int p = 0; p < _tables.Length; p++)
        {
            _tables[p] = default;
        }

        _owner.Budget.Release(Interlocked.Exchange(ref _reservedBytes, 0));
    }

    /// <summary>Gives the tables' memory back without writing them (the counter is being disposed).</summary>
    public void Drop()
    {
        if (_cache is not null)
        {
            _cache = null;
            _owner.Budget.Release(_cacheBytes);
            _cacheBytes = 0;
        }

        ReleaseBatches();

        for (int p = 0; p < _tables.Length; p++)
        {
            _tables[p] = default;
        }

        _owner.Budget.Release(Interlocked.Exchange(ref _reservedBytes, 0));
    }

    private void DrainCache()
    {
        var target = new CacheTarget(this);
        _cache!.Drain(ref target);
    }

    private void AddToTables(ReadOnlySpan<ulong> keys)
    {
        PartitionBatches? batches = _batches;
        if (batches is null)
        {
            foreach (ulong key in keys)
            {
                AddCount(key, 1);
            }

            return;
        }

        int partitionShift = 64 - _partitionBits;
        foreach (ulong key in keys)
        {
            ulong hash = key * KeyHash.Multiplier;
            int partition = (int)(hash >> partitionShift);
            if (batches.Append(partition, hash))
            {
                AddBatch(partition, batches.Take(partition));
            }
        }
    }

    /// <summary>Adds every batch still waiting to its table.</summary>
    private void AddWaitingBatches()
    {
        PartitionBatches batches = _batches!;
        for (int p = 0; p < batches.Partitions; p++)
        {
            AddBatch(p, batches.Take(p));
        }
    }

    private void ReleaseBatches()
    {
        if (_batches is not null)
        {
            _batches = null;
            _owner.Budget.Release(_batchBytes);
            _batchBytes = 0;
        }
    }

    /// <summary>
    /// Adds one partition's batch of hashes to its table. The
    /// slot of the key <see cref="PrefetchDistance"/> places ahead is loaded
    /// meanwhile, so the cache misses of a batch overlap instead of queuing.
    /// </summary>
    private void AddBatch(int partition, ReadOnlySpan<ulong> hashes)
    {
        ref CountTable table = ref _tables[partition];
        int usedBits = _partitionBits;
        CountSlot[] slots = table.Slots;
        int homeShift = 64 - table.Bits;
        int mask = (1 << table.Bits) - 1;
        for (int k = 0; k < hashes.Length; k++)
        {
            if (k + PrefetchDistance < hashes.Length)
            {
                Prefetch.Slot(ref slots[(int)((hashes[k + PrefetchDistance] << usedBits) >> homeShift)]);
            }

            ulong hash = hashes[k];
            int i = (int)((hash << usedBits) >> homeShift);
            while (true)
            {
                ref CountSlot slot = ref slots[i];
                if (slot.Count == 0)
                {
                    slot.Hash = hash;
                    slot.Count = 1;
                    if (++table.Used > table.GrowAt)
                    {
                        // The table grew or was spilled and emptied (same size): pick up its slots again.
                        GrowOrSpill(partition);
                        slots = table.Slots;
                        homeShift = 64 - table.Bits;
                        mask = (1 << table.Bits) - 1;
                    }

                    break;
                }

                if (slot.Hash == hash)
                {
                    slot.Count++;
                    break;
                }

                i = (i + 1) & mask;
            }
        }
    }

    private void GrowOrSpill(int partition)
    {
        ref CountTable table = ref _tables[partition];
        long oldBytes = table.Bytes;
        long newBytes = 2 * oldBytes;
        if (table.Bits < CountTable.MaxBits && _owner.TryReserveGrowth(ReservedBytes, newBytes))
        {
            table.Resize(table.Bits + 1);
            _owner.Budget.Release(oldBytes);
            Interlocked.Add(ref _reservedBytes, newBytes - oldBytes);
            return;
        }

        Spill();
        _owner.WriterSpilled();
    }

    /// <summary>Appends every non-empty table to this writer's partition files and empties it.</summary>
    private void Spill()
    {
        try
        {
            for (int p = 0; p < _tables.Length; p++)
            {
                ref CountTable table = ref _tables[p];
                if (table.Used == 0)
                {
                    continue;
                }

                Span<CountSlot> records = table.Compact();
                KeyHash.ToKeys(records);
                string? path = _files[p];
                if (path is null)
                {
                    path = _owner.Store.WriterFile(Id, p);
                    using SafeFileHandle created = _owner.Store.Create(path);
                    _files[p] = path;
                    SpillStore.Write(created, records, 0);
                }
                else
                {
                    using SafeFileHandle handle = SpillStore.OpenForAppend(path);
                    SpillStore.Write(handle, records, _fileLengths[p]);
                }

                _fileLengths[p] += (long)records.Length * CountSlot.Size;
                table.Clear();
            }
        }
        catch (Exception error)
        {
            _owner.Fault(error);
            throw;
        }
    }

    private readonly struct CacheTarget(SparseWriter writer) : ICountTarget
    {
        public void Add(ulong key, long count) => writer.AddCount(key, count);
    }
}
