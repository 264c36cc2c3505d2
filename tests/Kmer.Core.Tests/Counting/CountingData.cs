using Kmer.Core.Counting;

namespace Kmer.Core.Tests.Counting;

/// <summary>Random rows of distinct keys, counted by a reference dictionary, and helpers to feed them to a counter.</summary>
internal sealed class CountingData
{
    private CountingData(int keyBits, List<ulong[]> rows)
    {
        KeyBits = keyBits;
        Rows = rows;
        foreach (ulong[] row in rows)
        {
            foreach (ulong key in row)
            {
                Expected[key] = Expected.GetValueOrDefault(key) + 1;
            }
        }
    }

    public int KeyBits { get; }

    public List<ulong[]> Rows { get; }

    /// <summary>The reference: key → number of rows containing it.</summary>
    public Dictionary<ulong, long> Expected { get; } = [];

    public ulong MaxKey => KeyBits == 64 ? ulong.MaxValue : (1UL << KeyBits) - 1;

    public long MaxCount
    {
        get
        {
            long max = 0;
            foreach (long count in Expected.Values)
            {
                max = Math.Max(max, count);
            }

            return max;
        }
    }

    /// <summary>
    /// <paramref name="rows"/> rows of up to <paramref name="keysPerRow"/> distinct keys: a
    /// quarter from a small hot set (frequent keys), the rest uniform over
    /// the key range (mostly seen once when the range is large); 0 and the
    /// largest key appear in every tenth row.
    /// </summary>
    public static CountingData Random(int keyBits, int rows, int keysPerRow, int seed, int hotKeys = 500)
    {
        var random = new Random(seed);
        ulong maxKey = keyBits == 64 ? ulong.MaxValue : (1UL << keyBits) - 1;
        var hot = new ulong[Math.Max(1, hotKeys)];
        for (int i = 0; i < hot.Length; i++)
        {
            hot[i] = Draw(random, maxKey);
        }

        var list = new List<ulong[]>(rows);
        var row = new HashSet<ulong>();
        for (int r = 0; r < rows; r++)
        {
            row.Clear();
            int n = random.Next(keysPerRow + 1);
            for (int i = 0; i < n; i++)
            {
                row.Add(random.Next(4) == 0 ? hot[random.Next(hot.Length)] : Draw(random, maxKey));
            }

            if (r % 10 == 0)
            {
                row.Add(0);
                row.Add(maxKey);
            }

            list.Add([.. row]);
        }

        return new CountingData(keyBits, list);
    }

    public static CountingData FromRows(int keyBits, List<ulong[]> rows) => new(keyBits, rows);

    /// <summary>The reference selection: keys with count &gt; threshold, ascending.</summary>
    public List<KeyCount> ExpectedAbove(long threshold)
    {
        var result = new List<KeyCount>();
        foreach ((ulong key, long count) in Expected)
        {
            if (count > threshold)
            {
                result.Add(new KeyCount(key, count));
            }
        }

        result.Sort((a, b) => a.Key.CompareTo(b.Key));
        return result;
    }

    /// <summary>Counts every row with <paramref name="writers"/> writers, each on its own thread, rows dealt round-robin.</summary>
    public void CountInto(KeyCounter counter, int writers)
    {
        var created = new KeyCountWriter[writers];
        for (int w = 0; w < writers; w++)
        {
            created[w] = counter.CreateWriter();
        }

        var threads = new Thread[writers];
        var errors = new Exception?[writers];
        for (int w = 0; w < writers; w++)
        {
            int index = w;
            threads[w] = new Thread(() =>
            {
                try
                {
                    using KeyCountWriter writer = created[index];
                    for (int r = index; r < Rows.Count; r += writers)
                    {
                        writer.AddRow(Rows[r]);
                    }
                }
                catch (Exception error)
                {
                    errors[index] = error;
                }
            });
            threads[w].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        foreach (Exception? error in errors)
        {
            if (error is not null)
            {
                throw new InvalidOperationException("A writer thread failed.", error);
            }
        }
    }

    private static ulong Draw(Random random, ulong maxKey) =>
        maxKey == ulong.MaxValue ? (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63) : (ulong)random.NextInt64((long)Math.Min(maxKey, long.MaxValue - 1) + 1);
}
