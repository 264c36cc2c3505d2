namespace Kmer.Core.Counting;

/// <summary>
/// What the dense and the sparse strategy share: the memory account and the
/// writers' life cycle (created → completed, then one selection). The
/// subclasses do the counting.
/// </summary>
internal abstract class CountingStrategy : IDisposable
{
    private int _liveWriters;
    private bool _selecting;
    private bool _disposed;
    private Exception? _fault;

    protected CountingStrategy(int keyBits, long memoryLimitBytes)
    {
        KeyBits = keyBits;
        MaxKey = keyBits == 64 ? ulong.MaxValue : (1UL << keyBits) - 1;
        Budget = new MemoryBudget(memoryLimitBytes);
    }

    public int KeyBits { get; }

    /// <summary>The largest valid key, 2^KeyBits − 1.</summary>
    public ulong MaxKey { get; }

    public MemoryBudget Budget { get; }

    public abstract int SpillFileCount { get; }

    /// <summary>Called after each partition (or dense chunk) <see cref="SelectAbove"/> finishes; tests cancel from it.</summary>
    internal Action? PartitionSelected { get; set; }

    /// <summary>Guards the life-cycle fields here and the subclasses' shared state.</summary>
    protected object Sync { get; } = new();

    internal bool IsDisposed
    {
        get
        {
            lock (Sync)
            {
                return _disposed;
            }
        }
    }

    /// <summary>Writers created and not yet completed.</summary>
    protected int LiveWriters => Volatile.Read(ref _liveWriters);

    public WriterCore CreateWriter()
    {
        lock (Sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_selecting)
            {
                throw new InvalidOperationException("No writer can be created once SelectAbove has been called.");
            }

            _liveWriters++;
        }

        try
        {
            return CreateWriterCore();
        }
        catch
        {
            lock (Sync)
            {
                _liveWriters--;
            }

            throw;
        }
    }

    public IReadOnlyList<KeyCount> SelectAbove(long threshold, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        lock (Sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_liveWriters != 0)
            {
                throw new InvalidOperationException($"{_liveWriters} writer(s) are not completed yet; complete or dispose every writer before SelectAbove.");
            }

            if (_selecting)
            {
                throw new InvalidOperationException("SelectAbove can be called only once: it consumes the counts.");
            }

            if (_fault is not null)
            {
                throw new InvalidOperationException("A writer failed while counting, so the counts are incomplete.", _fault);
            }

            _selecting = true;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return SelectCore(threshold, cancellationToken);
    }

    public void Dispose()
    {
        lock (Sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        DisposeCore();
    }

    /// <summary>A writer is done: called once per writer, after its final state has been handed over.</summary>
    internal void WriterCompleted()
    {
        lock (Sync)
        {
            _liveWriters--;
        }
    }

    /// <summary>Records that a writer lost counts (e.g. a spill failed), so no selection is made from them.</summary>
    internal void Fault(Exception exception)
    {
        lock (Sync)
        {
            _fault ??= exception;
        }
    }

    /// <summary>Throws if any key of <paramref name="keys"/> is above <see cref="MaxKey"/>.</summary>
    internal void CheckKeys(ReadOnlySpan<ulong> keys)
    {
        if (MaxKey != ulong.MaxValue)
        {
            int bad = keys.IndexOfAnyExceptInRange(0UL, MaxKey);
            if (bad >= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(keys), keys[bad], $"Key {keys[bad]} at index {bad} has more than {KeyBits} bits.");
            }
        }
    }

    protected abstract WriterCore CreateWriterCore();

    protected abstract IReadOnlyList<KeyCount> SelectCore(long threshold, CancellationToken cancellationToken);

    protected abstract void DisposeCore();
}

/// <summary>One writer's counting state, behind <see cref="KeyCountWriter"/>; used by one thread at a time.</summary>
internal abstract class WriterCore
{
    public abstract void AddRow(ReadOnlySpan<ulong> keys);

    /// <summary>Hands the writer's state to the counter; called once.</summary>
    public abstract void Complete();
}
