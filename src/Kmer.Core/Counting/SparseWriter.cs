using Microsoft.Win32.SafeHandles;

namespace Kmer.Core.Counting;

/// <summary>
/// One writer of the sparse strategy: a table per partition (the top
/// <see cref="SparseCounts.PartitionBits"/> bits of the key's hash), each
/// growing on its own while the memory account allows; when a table may not
/// grow, every table of the writer is spilled to the writer's partition files
/// and emptied. Used by one thread at a time, except that a completed writer's
/// tables are handed to the counter.
/// </summary>
internal sealed class SparseWriter : WriterCore
{
    private readonly SparseCounts _owner;
    private readonly int _partitionBits;
    private readonly CountTable[] _tables;
    private readonly long[] _fileLengths;
    private readonly string?[] _files;
    private long _reservedBytes;
    private HotKeyCache? _cache;
    private long _cacheBytes;

    /// <summary>A writer with empty tables; the caller reserves <see cref="ReservedBytes"/>, and the cache when <paramref name="cache"/> is given.</summary>
    public SparseWriter(SparseCounts owner, int id, HotKeyCache? cache)
    {
        _cache = cache;
        _cacheBytes = cache?.Bytes ?? 0;
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
        CountTable[] tables = _tables;
        int partitionShift = 64 - _partitionBits;
        int usedBits = _partitionBits;
        foreach (ulong key in keys)
        {
            ulong hash = key * KeyHash.Multiplier;
            int partition = (int)(hash >> partitionShift);
            ref CountTable table = ref tables[partition];
            CountSlot[] slots = table.Slots;
            int mask = (1 << table.Bits) - 1;
            int i = (int)((hash << usedBits) >> (64 - table.Bits));
            while (true)
            {
                ref CountSlot slot = ref slots[i];
                if (slot.Count == 0)
                {
                    slot.Hash = hash;
                    slot.Count = 1;
                    if (++table.Used > table.GrowAt)
                    {
                        GrowOrSpill(partition);
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
