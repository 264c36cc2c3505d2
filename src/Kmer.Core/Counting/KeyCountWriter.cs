namespace Kmer.Core.Counting;

/// <summary>
/// Counts rows into a <see cref="KeyCounter"/>: one writer per thread, made by
/// <see cref="KeyCounter.CreateWriter"/>. Not thread-safe; nothing is allocated
/// and no lock is taken per key or row (the sparse strategy's writer takes the
/// memory account's atomics when a table grows and writes files when it spills).
/// </summary>
public sealed class KeyCountWriter : IDisposable
{
    private readonly WriterCore _core;
    private bool _completed;

    internal KeyCountWriter(WriterCore core) => _core = core;

    /// <summary>
    /// Counts one row: each key's count goes up by 1. The keys of a row must be
    /// distinct (as <see cref="NgramKeyExtractor"/> makes them), else a key
    /// counts once per occurrence.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A key has more than <see cref="KeyCountingOptions.KeyBits"/> bits (nothing of the row is counted).</exception>
    /// <exception cref="InvalidOperationException">The writer is completed.</exception>
    /// <exception cref="IOException">The sparse strategy could not write a spill file (the counter is then unusable).</exception>
    public void AddRow(ReadOnlySpan<ulong> keys)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The writer is completed; create another one to count more rows.");
        }

        _core.AddRow(keys);
    }

    /// <summary>
    /// Hands the writer's counts to the counter (the sparse strategy may spill
    /// them). Called once; later calls do nothing.
    /// </summary>
    /// <exception cref="IOException">A spill file could not be written (the counter is then unusable).</exception>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        _core.Complete();
    }

    /// <summary>Completes the writer if it is not completed yet.</summary>
    public void Dispose() => Complete();
}
