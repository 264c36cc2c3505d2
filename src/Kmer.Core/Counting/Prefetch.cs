using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Kmer.Core.Counting;

/// <summary>Asks the CPU to start loading a table slot while other work goes on (a no-op without SSE).</summary>
internal static class Prefetch
{
    /// <remarks>
    /// The pointer is not pinned: if the array moves meanwhile, the hint is
    /// merely wasted (a prefetch never faults).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Slot(ref CountSlot slot)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref slot));
        }
    }
}
