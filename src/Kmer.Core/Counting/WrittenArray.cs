namespace Kmer.Core.Counting;

/// <summary>Allocates counting arrays whose memory is written before it is used.</summary>
/// <remarks>
/// A large new array is often fresh memory from the system that the runtime
/// does not write. Counting reads a slot before writing it, so each page
/// would first be mapped to the shared zero page and then copied on the
/// write, and that copy flushes the page from every CPU's TLB (an
/// inter-processor interrupt per page while the readers run on other
/// cores): a quarter of the pool's time at k = 16 in a perf profile. Writing
/// the zeros first makes each page's first touch a plain write fault. The
/// array is taken uninitialised, so reused memory is not zeroed twice.
/// </remarks>
internal static class WrittenArray
{
    /// <summary>A zeroed array of <paramref name="length"/> elements, every page of it written.</summary>
    public static T[] Zeroed<T>(int length)
        where T : unmanaged
    {
        T[] array = GC.AllocateUninitializedArray<T>(length);
        array.AsSpan().Clear();
        return array;
    }
}
