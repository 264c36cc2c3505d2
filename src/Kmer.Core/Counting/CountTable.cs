using System.Runtime.CompilerServices;

namespace Kmer.Core.Counting;

/// <summary>
/// An open-addressing (linear probing) table from key hash to count, filled to
/// at most three quarters. It holds the keys of one hash range: the top
/// <see cref="UsedBits"/> bits of every hash in it are the same, and the
/// <see cref="Bits"/> bits below them pick the home slot. A mutable struct,
/// kept in arrays and used by reference; not thread-safe.
/// </summary>
internal struct CountTable
{
    /// <summary>The smallest table: 16 slots.</summary>
    public const int MinBits = 4;

    /// <summary>The largest table: 2^28 slots (4 GiB).</summary>
    public const int MaxBits = 28;

    public CountSlot[] Slots;
    public int Bits;
    public int UsedBits;
    public int Used;
    public int GrowAt;

    public CountTable(int bits, int usedBits)
        : this(WrittenArray.Zeroed<CountSlot>(1 << bits), bits, usedBits)
    {
    }

    /// <summary>Uses the first 2^<paramref name="bits"/> slots of <paramref name="slots"/>, which must be empty.</summary>
    public CountTable(CountSlot[] slots, int bits, int usedBits)
    {
        Slots = slots;
        Bits = bits;
        UsedBits = usedBits;
        Used = 0;
        GrowAt = Capacity(bits);
    }

    public readonly long Bytes => Slots is null ? 0 : (long)Slots.Length * CountSlot.Size;

    /// <summary>The most entries a table of 2^<paramref name="bits"/> slots takes.</summary>
    public static int Capacity(int bits) => (int)((3L << bits) >> 2);

    /// <summary>The smallest table size (in bits, at least <see cref="MinBits"/>) that takes <paramref name="entries"/>.</summary>
    public static int BitsFor(long entries)
    {
        int bits = MinBits;
        while (bits < MaxBits && Capacity(bits) < entries)
        {
            bits++;
        }

        return bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Home(ulong hash, int usedBits, int bits) =>
        usedBits >= 64 ? 0 : (int)((hash << usedBits) >> (64 - bits));

    /// <summary>Adds <paramref name="count"/> to the entry of <paramref name="hash"/>; returns true if the entry is new (check <see cref="IsFull"/> then).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(ulong hash, long count)
    {
        CountSlot[] slots = Slots;
        int mask = (1 << Bits) - 1;
        int i = Home(hash, UsedBits, Bits);
        while (true)
        {
            ref CountSlot slot = ref slots[i];
            if (slot.Count == 0)
            {
                slot.Hash = hash;
                slot.Count = count;
                Used++;
                return true;
            }

            if (slot.Hash == hash)
            {
                slot.Count += count;
                return false;
            }

            i = (i + 1) & mask;
        }
    }

    /// <summary>The count of the key with hash <paramref name="hash"/>, 0 when the table does not have it.</summary>
    public readonly long CountOf(ulong hash)
    {
        CountSlot[] slots = Slots;
        int mask = (1 << Bits) - 1;
        int i = Home(hash, UsedBits, Bits);
        while (true)
        {
            ref CountSlot slot = ref slots[i];
            if (slot.Count == 0 || slot.Hash == hash)
            {
                return slot.Count;
            }

            i = (i + 1) & mask;
        }
    }

    public readonly bool IsFull => Used > GrowAt;

    /// <summary>Moves every entry into a new array of 2^<paramref name="bits"/> slots.</summary>
    public void Resize(int bits)
    {
        CountSlot[] old = Slots;
        int oldSize = 1 << Bits;
        var slots = WrittenArray.Zeroed<CountSlot>(1 << bits);
        int mask = slots.Length - 1;
        int usedBits = UsedBits;
        for (int j = 0; j < oldSize; j++)
        {
            ref CountSlot entry = ref old[j];
            if (entry.Count == 0)
            {
                continue;
            }

            int i = Home(entry.Hash, usedBits, bits);
            while (slots[i].Count != 0)
            {
                i = (i + 1) & mask;
            }

            slots[i] = entry;
        }

        Slots = slots;
        Bits = bits;
        GrowAt = Capacity(bits);
    }

    /// <summary>
    /// Moves the entries to the front of the slots and returns them; the
    /// table is no longer a valid hash table until <see cref="Clear"/>.
    /// </summary>
    public readonly Span<CountSlot> Compact()
    {
        CountSlot[] slots = Slots;
        int size = 1 << Bits;
        int n = 0;
        for (int i = 0; i < size; i++)
        {
            if (slots[i].Count != 0)
            {
                slots[n++] = slots[i];
            }
        }

        return slots.AsSpan(0, n);
    }

    /// <summary>Empties the table, keeping its size.</summary>
    public void Clear()
    {
        Array.Clear(Slots, 0, 1 << Bits);
        Used = 0;
    }
}
