using System.Runtime.ExceptionServices;

namespace Kmer.Core.Counting;

/// <summary>
/// Runs a body for the items 0..count−1 on a fixed number of threads (the
/// calling thread and degree − 1 pool tasks), each thread taking the next
/// item in turn and keeping a state of its own. At most <c>degree</c> items
/// are in progress at once, which is what the memory slices rely on.
/// </summary>
internal static class ParallelPartitions
{
    public static void Run<TState>(
        int count,
        int degree,
        Func<TState> createState,
        Action<int, TState> body,
        Action<TState> finish,
        CancellationToken cancellationToken)
    {
        degree = Math.Max(1, Math.Min(degree, count));
        int next = -1;
        int failed = 0;
        Exception? firstError = null;

        void Loop()
        {
            TState state = createState();
            try
            {
                while (Volatile.Read(ref failed) == 0)
                {
                    int item = Interlocked.Increment(ref next);
                    if (item >= count)
                    {
                        return;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    body(item, state);
                }
            }
            catch (Exception error)
            {
                if (Interlocked.Exchange(ref failed, 1) == 0)
                {
                    firstError = error;
                }
            }
            finally
            {
                finish(state);
            }
        }

        var helpers = new Task[degree - 1];
        for (int i = 0; i < helpers.Length; i++)
        {
            helpers[i] = Task.Run(Loop, CancellationToken.None);
        }

        Loop();
        Task.WaitAll(helpers, CancellationToken.None);
        if (firstError is not null)
        {
            ExceptionDispatchInfo.Throw(firstError);
        }
    }
}
