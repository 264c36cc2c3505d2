using Microsoft.Win32.SafeHandles;

namespace Kmer.Core.Counting;

/// <summary>
/// Sums the spilled records of one partition at a time within a fixed slice
/// of the memory limit, and keeps the keys counted in more rows than the
/// threshold. One per selection thread; reuses its table and read buffer.
/// </summary>
/// <remarks>
/// The records are read in chunks into the buffer (at most 1 MiB, an eighth
/// of the slice) and added to a table sized for the number of records, at
/// most what the rest of the slice holds. If the distinct keys outgrow that
/// table, the partition is split 16 ways by the next 4 bits of the hash: the
/// table's entries and every record not yet read are distributed (sorted in
/// place by those bits, then appended as runs) to 16 new files, the
/// partition's files are deleted, and the 16 parts are processed the same way
/// one after the other. Each split consumes hash bits, and a part whose 64
/// bits are all used holds a single key, so this ends; with 256 partitions,
/// splitting starts only when the distinct keys spilled exceed about 96 times
/// the memory limit.
/// </remarks>
internal sealed class SpilledPartitionReader : IDisposable
{
    private const int SplitBits = 4;
    private const int MaxBufferRecords = (1 << 20) / CountSlot.Size;
    private const int MinBufferRecords = 256;

    private readonly MemoryBudget _budget;
    private readonly SpillStore _store;
    private readonly long _threshold;
    private readonly int _maxBits;
    private readonly CountSlot[] _buffer;
    private CountSlot[] _slots = [];
    private long _reserved;

    public SpilledPartitionReader(MemoryBudget budget, SpillStore store, long slice, long threshold)
    {
        _budget = budget;
        _store = store;
        _threshold = threshold;
        int bufferRecords = (int)Math.Clamp(slice / 8 / CountSlot.Size, MinBufferRecords, MaxBufferRecords);
        long tableSlots = (slice - (long)bufferRecords * CountSlot.Size) / CountSlot.Size;
        int maxBits = CountTable.MinBits;
        while (maxBits < CountTable.MaxBits && 2L << maxBits <= tableSlots)
        {
            maxBits++;
        }

        _maxBits = maxBits;
        Reserve((long)bufferRecords * CountSlot.Size);
        _buffer = new CountSlot[bufferRecords];
    }

    /// <summary>The keys selected so far, in no particular order.</summary>
    public List<KeyCount> Found { get; } = [];

    /// <summary>
    /// Sums the records of <paramref name="sources"/> (all the files of one hash
    /// range whose top <paramref name="usedBits"/> bits are fixed), adds the keys
    /// above the threshold to <see cref="Found"/> and deletes the files.
    /// </summary>
    public void Process(List<SpillSource> sources, int usedBits, CancellationToken cancellationToken)
    {
        long records = 0;
        foreach (SpillSource source in sources)
        {
            records += source.Length / CountSlot.Size;
        }

        if (records == 0)
        {
            DeleteAll(sources);
            return;
        }

        var table = RentTable(Math.Min(CountTable.BitsFor(records), _maxBits), usedBits);
        for (int s = 0; s < sources.Count; s++)
        {
            SpillSource source = sources[s];
            using SafeFileHandle handle = SpillStore.OpenForRead(source.Path);
            long offset = 0;
            while (offset < source.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Span<CountSlot> chunk = ReadChunk(handle, source, offset);
                offset += (long)chunk.Length * CountSlot.Size;
                for (int j = 0; j < chunk.Length; j++)
                {
                    if (table.Add(chunk[j].Hash, chunk[j].Count) && table.IsFull)
                    {
                        Split(ref table, chunk[(j + 1)..], handle, offset, sources, s, cancellationToken);
                        return;
                    }
                }
            }
        }

        foreach (ref readonly CountSlot slot in _slots.AsSpan(0, 1 << table.Bits))
        {
            if (slot.Count > _threshold)
            {
                Found.Add(new KeyCount(slot.Hash * KeyHash.Inverse, slot.Count));
            }
        }

        table.Clear();
        DeleteAll(sources);
    }

    public void Dispose()
    {
        _slots = [];
        _budget.Release(_reserved);
        _reserved = 0;
    }

    private static int Digit(ulong hash, int usedBits, int splitBits) =>
        (int)((hash << usedBits) >> (64 - splitBits));

    /// <summary>Reads the next chunk of <paramref name="source"/> into the buffer, as hashes.</summary>
    private Span<CountSlot> ReadChunk(SafeFileHandle handle, SpillSource source, long offset)
    {
        int want = (int)Math.Min(_buffer.Length, (source.Length - offset) / CountSlot.Size);
        int read = SpillStore.Read(handle, _buffer.AsSpan(0, want), offset);
        if (read != want)
        {
            throw new IOException($"The spill file {source.Path} is shorter than the {source.Length} bytes written to it.");
        }

        Span<CountSlot> chunk = _buffer.AsSpan(0, read);
        KeyHash.ToHashes(chunk);
        return chunk;
    }

    /// <summary>An empty table of 2^<paramref name="bits"/> slots over the reusable array.</summary>
    private CountTable RentTable(int bits, int usedBits)
    {
        if (_slots.Length < 1 << bits)
        {
            long more = ((long)CountSlot.Size << bits) - (long)_slots.Length * CountSlot.Size;
            _slots = [];
            Reserve(more);
            _slots = WrittenArray.Zeroed<CountSlot>(1 << bits);
        }

        return new CountTable(_slots, bits, usedBits);
    }

    private void Reserve(long bytes)
    {
        // The slices add up to the limit and nothing else is held while files
        // are read, so this is always granted; Reserve would still record it.
        if (!_budget.TryReserve(bytes))
        {
            _budget.Reserve(bytes);
        }

        _reserved += bytes;
    }

    /// <summary>
    /// Distributes the table's entries, the rest of the chunk, the rest of the
    /// current file and the later files to 16 new files by the next hash bits,
    /// deletes the sources and processes the new files.
    /// </summary>
    private void Split(
        ref CountTable table,
        Span<CountSlot> restOfChunk,
        SafeFileHandle handle,
        long offset,
        List<SpillSource> sources,
        int current,
        CancellationToken cancellationToken)
    {
        int usedBits = table.UsedBits;
        int splitBits = Math.Min(SplitBits, 64 - usedBits);
        var parts = new Part[1 << splitBits];
        try
        {
            Distribute(table.Compact(), usedBits, splitBits, parts);
            table.Clear();
            Distribute(restOfChunk, usedBits, splitBits, parts);
            SpillSource source = sources[current];
            while (offset < source.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Span<CountSlot> chunk = ReadChunk(handle, source, offset);
                offset += (long)chunk.Length * CountSlot.Size;
                Distribute(chunk, usedBits, splitBits, parts);
            }

            for (int s = current + 1; s < sources.Count; s++)
            {
                source = sources[s];
                using SafeFileHandle next = SpillStore.OpenForRead(source.Path);
                for (offset = 0; offset < source.Length;)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Span<CountSlot> chunk = ReadChunk(next, source, offset);
                    offset += (long)chunk.Length * CountSlot.Size;
                    Distribute(chunk, usedBits, splitBits, parts);
                }
            }
        }
        finally
        {
            foreach (Part part in parts)
            {
                part?.Handle.Dispose();
            }
        }

        DeleteAll(sources);
        foreach (Part part in parts)
        {
            if (part is not null)
            {
                Process([new SpillSource(part.Path, part.Length)], usedBits + splitBits, cancellationToken);
            }
        }
    }

    /// <summary>Sorts <paramref name="records"/> in place by their next hash digit and appends each digit's run to its part.</summary>
    private void Distribute(Span<CountSlot> records, int usedBits, int splitBits, Part[] parts)
    {
        int fan = 1 << splitBits;
        Span<int> next = stackalloc int[fan];
        Span<int> end = stackalloc int[fan];
        foreach (ref readonly CountSlot record in records)
        {
            end[Digit(record.Hash, usedBits, splitBits)]++;
        }

        int start = 0;
        for (int d = 0; d < fan; d++)
        {
            next[d] = start;
            start += end[d];
            end[d] = start;
        }

        // In-place distribution (American flag sort): each record is swapped
        // into the next free place of its digit until the digit's own comes up.
        for (int d = 0; d < fan; d++)
        {
            while (next[d] < end[d])
            {
                CountSlot record = records[next[d]];
                int digit = Digit(record.Hash, usedBits, splitBits);
                while (digit != d)
                {
                    (records[next[digit]], record) = (record, records[next[digit]]);
                    next[digit]++;
                    digit = Digit(record.Hash, usedBits, splitBits);
                }

                records[next[d]++] = record;
            }
        }

        KeyHash.ToKeys(records);
        start = 0;
        for (int d = 0; d < fan; d++)
        {
            Span<CountSlot> run = records[start..end[d]];
            start = end[d];
            if (run.IsEmpty)
            {
                continue;
            }

            Part part = parts[d] ??= CreatePart();
            SpillStore.Write(part.Handle, run, part.Length);
            part.Length += (long)run.Length * CountSlot.Size;
        }
    }

    private Part CreatePart()
    {
        string path = _store.SplitFile();
        return new Part(path, _store.Create(path));
    }

    private void DeleteAll(List<SpillSource> sources)
    {
        foreach (SpillSource source in sources)
        {
            _store.Delete(source.Path);
        }
    }

    private sealed class Part(string path, SafeFileHandle handle)
    {
        public string Path { get; } = path;

        public SafeFileHandle Handle { get; } = handle;

        public long Length { get; set; }
    }
}
