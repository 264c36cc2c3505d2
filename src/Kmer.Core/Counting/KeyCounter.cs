namespace Kmer.Core.Counting;

/// <summary>
/// Counts, for every key, the number of rows it occurs in, on several threads
/// at once and within a memory limit, and selects the keys above a threshold:
/// the counting engine of the high-frequency k-mer analysis
/// (shared/spec/highfreq-analysis.md §1.2–1.3).
/// </summary>
/// <remarks>
/// <para>
/// Use: <see cref="Create"/>; one <see cref="CreateWriter"/> per reading
/// thread, which calls <see cref="KeyCountWriter.AddRow"/> for each row and
/// <see cref="KeyCountWriter.Complete"/> (or Dispose) at the end; then
/// <see cref="SelectAbove"/> once; then <see cref="Dispose"/>.
/// </para>
/// <para>
/// <b>Dense</b> (<see cref="IsDense"/>) when 2^KeyBits 32-bit counters take at
/// most half the memory limit (KeyBits ≤ 30): one shared array indexed by the
/// key, incremented with interlocked adds, and for writers that count many
/// keys an array of their own while the limit allows, added to the shared one
/// by the selection (see <c>DenseCounts</c>); exact past 2^32 rows per key.
/// <b>Sparse</b> otherwise: per-writer hash tables under a shared memory
/// account, spilling to files in the spill directory partitioned by key hash
/// (see <c>SparseCounts</c> and <c>SpilledPartitionReader</c>). Counts are
/// 64-bit there, and each writer may count through a small cache of its own
/// that keeps the most frequent keys in the CPU caches while nearly every key
/// hits it (<c>HotKeyCache</c>).
/// </para>
/// <para>
/// <see cref="PeakMemoryBytes"/> counts the counter arrays or the tables, their
/// transient copies while growing, the writers' caches and batches, and the selection's
/// tables and read buffers: everything that grows with the data or the
/// writers. It does not count the list <see cref="SelectAbove"/> returns,
/// object headers and per-partition bookkeeping (a few KiB per writer), or the
/// file system cache. The one way past the limit: a sparse writer created
/// while the others hold the whole limit still gets its empty tables (16 slots
/// per partition, 256 bytes each, at most 64 KiB).
/// </para>
/// <para>
/// Not meant for calls concurrent with <see cref="SelectAbove"/> or
/// <see cref="Dispose"/> other than <see cref="PeakMemoryBytes"/> and
/// <see cref="SpillFileCount"/>.
/// </para>
/// </remarks>
public sealed class KeyCounter : IDisposable
{
    /// <summary>The smallest memory limit accepted: 1 MiB.</summary>
    public const long MinimumMemoryLimitBytes = 1L << 20;

    /// <summary>The most key bits the dense strategy takes (2^30 counters, 4 GiB).</summary>
    public const int MaxDenseKeyBits = 30;

    private readonly CountingStrategy _strategy;

    private KeyCounter(KeyCountingOptions options, CountingStrategy strategy)
    {
        Options = options;
        _strategy = strategy;
    }

    /// <summary>The options the counter was created with.</summary>
    public KeyCountingOptions Options { get; }

    /// <summary>True for the dense strategy (one shared counter array), false for the sparse one (hash tables and spill files).</summary>
    public bool IsDense => _strategy is DenseCounts;

    /// <summary>The largest number of bytes the counter's own tables and buffers held at once (see the remarks).</summary>
    public long PeakMemoryBytes => _strategy.Budget.Peak;

    /// <summary>The number of spill files written so far (0 when everything fit in memory).</summary>
    public int SpillFileCount => _strategy.SpillFileCount;

    /// <summary>Creates a counter, choosing the strategy from the key size and the memory limit.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or its spill directory is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">KeyBits is outside 1..64 or the limit is below <see cref="MinimumMemoryLimitBytes"/>.</exception>
    /// <exception cref="DirectoryNotFoundException">The sparse strategy is needed and the spill directory does not exist.</exception>
    public static KeyCounter Create(KeyCountingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.KeyBits, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.KeyBits, 64, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MemoryLimitBytes, MinimumMemoryLimitBytes, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.RareLowBits, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.RareLowBits, options.KeyBits, nameof(options));
        ArgumentNullException.ThrowIfNull(options.SpillDirectory, nameof(options));

        if (UsesDense(options.KeyBits, options.MemoryLimitBytes))
        {
            return new KeyCounter(options, new DenseCounts(options.KeyBits, options.RareLowBits, options.MemoryLimitBytes));
        }

        if (!Directory.Exists(options.SpillDirectory))
        {
            throw new DirectoryNotFoundException($"The spill directory {options.SpillDirectory} does not exist.");
        }

        return new KeyCounter(options, new SparseCounts(options.KeyBits, options.MemoryLimitBytes, options.SpillDirectory));
    }

    /// <summary>Whether <see cref="Create"/> picks the dense strategy for these key bits and this limit.</summary>
    public static bool UsesDense(int keyBits, long memoryLimitBytes) =>
        keyBits <= MaxDenseKeyBits && DenseCounts.BytesFor(keyBits) <= memoryLimitBytes / 2;

    /// <summary>
    /// Lets go of the dense counter arrays kept, zeroed, for the next counter of
    /// the same width (their memory goes with the next garbage collection).
    /// </summary>
    public static void ReleaseKeptArrays() => KeptCounterArrays.Release();

    /// <summary>A writer for one thread. Thread-safe.</summary>
    /// <exception cref="InvalidOperationException"><see cref="SelectAbove"/> has been called.</exception>
    /// <exception cref="ObjectDisposedException">The counter is disposed.</exception>
    public KeyCountWriter CreateWriter() => new(_strategy.CreateWriter());

    /// <summary>
    /// Every key counted in more than <paramref name="threshold"/> rows, in
    /// ascending key order. Call once, after every writer is completed or
    /// disposed: it consumes the counts (and deletes the spill files as it goes).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">A writer is not completed, it was already called, or a writer failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (files left are deleted by <see cref="Dispose"/>).</exception>
    /// <exception cref="IOException">A spill file could not be read or written.</exception>
    public IReadOnlyList<KeyCount> SelectAbove(long threshold, CancellationToken cancellationToken) =>
        _strategy.SelectAbove(threshold, cancellationToken);

    /// <summary>Deletes every spill file the counter made, whatever happened before, and lets go of its memory.</summary>
    public void Dispose() => _strategy.Dispose();

    /// <summary>The memory account (tests exhaust it to force the selection's fallbacks).</summary>
    internal MemoryBudget Budget => _strategy.Budget;

    /// <summary>Called after each partition <see cref="SelectAbove"/> finishes (tests cancel from it).</summary>
    internal Action? PartitionSelected
    {
        get => _strategy.PartitionSelected;
        set => _strategy.PartitionSelected = value;
    }

    /// <summary>Adds <paramref name="count"/> rows to one key of a dense counter at once (tests reach the 32-bit limit with it).</summary>
    internal void AddDense(ulong key, long count) => ((DenseCounts)_strategy).Add(key, count);
}
