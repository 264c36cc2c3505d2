using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Kmer.Core;

/// <summary>
/// Computes the n-gram keys of DNA2/DNA4 values and of k-mer query texts, bit
/// for bit as the extension's GIN support does (shared/spec/kmers-and-gin.md §1-3).
/// </summary>
/// <remarks>
/// <para>
/// Windows of k symbols are visited left to right. Each yields k-mer values
/// (2 bits per base, A=0 C=1 G=2 T=3, first base most significant); DNA4
/// values and queries skip windows holding N (or DNA4 code 0000) or two or
/// more 2/3-way ambiguity codes, and expand one ambiguity code into its 2 or
/// 3 bases in A &lt; C &lt; G &lt; T order. The c-th occurrence of a k-mer
/// value v in the sequence (counted over all windows and expansions) emits
/// <c>(v &lt;&lt; b) | (c − 1)</c> while c ≤ 2^b (b = 0: only c = 1, key v).
/// </para>
/// <para>
/// One instance is meant to be reused by one thread for many sequences: it
/// owns the per-sequence occurrence tables (entries from earlier sequences
/// invalidated by a generation stamp, so nothing is cleared between
/// sequences) and allocates nothing per sequence once they are large enough.
/// k ≤ 8 counts in an array indexed by the k-mer value, k ≤ 16 in a presized
/// open-addressing table of one-ulong slots when the sequence fits it, and
/// anything else in an open-addressing table that grows. DNA2 values are read as a rolling 2k-bit window over the
/// packed bytes; DNA4 values and queries keep a rolling window in which an
/// ambiguity code holds digit 0, so its expansions are ORed in at its shift.
/// Not thread-safe.
/// </para>
/// </remarks>
public sealed class NgramKeyExtractor
{
    // Occurrence table sizes are powers of two, at least half empty.
    private const int MinTableBits = 6;

    // A sequence starts with a table sized for its worst case up to this many
    // bits (16 bytes a slot: 1 MiB); beyond it the table grows while filling.
    private const int MaxPresizedTableBits = 16;


    // Per DNA4 code (bit 0 = A, 1 = C, 2 = G, 3 = T): the base digit for the
    // four one-base codes, Ambiguous for the 2/3-base codes, Blocker for N
    // (all four bases) and for 0000 (no base).
    private const byte Ambiguous = 0x10;
    private const byte Blocker = 0x20;

    private readonly int _kmerSize;
    private readonly int _occurBitlen;
    private readonly ulong _kmerMask;
    private readonly uint _maxOccurrences;

    // k-mer values of at most this many bases count in a table indexed by the
    // value itself (4^8 entries of 4 bytes: 256 KiB, mostly L2-resident), which
    // needs no hashing or probing.
    private const int MaxDirectKmerSize = 8;

    // Longer k-mers of at most 16 bases fit in the upper half of a one-ulong
    // slot (see CompactCounter). The table is kept at most an eighth full when
    // that fits: probing past the first slot costs a mispredicted branch, and
    // a quarter full measured ~20% slower (16 KiB for a 150-base read).
    private const int MaxCompactKmerSize = 16;

    private const ulong HashMultiplier = 0x9E3779B97F4A7C15UL;

    // The direct and compact tables hold "generation base + occurrences so far"
    // per entry; each sequence raises the base by this step, which exceeds the
    // largest count kept (2^b + 1), so entries of earlier sequences read as
    // below the base, i.e. as empty.
    private readonly uint _generationStep;
    private readonly uint _saturatedCount;

    // A DNA4 value of A, C, G and T only, repacked as DNA2 (see TryRepackAsDna2).
    private byte[] _repacked = [];

    private uint[]? _direct;
    private uint _directBase;
    private ulong[]? _compact;
    private uint _compactBase;
    private int _compactBits;

    // The general table (any k, any length; grows while filling).
    private Slot[] _slots;
    private int _tableMask;
    private int _tableShift;
    private int _used;
    private int _growAt;
    private uint _stamp;

    /// <summary>Creates an extractor for the given settings.</summary>
    /// <exception cref="ArgumentException"><paramref name="settings"/> is <c>default</c>.</exception>
    public NgramKeyExtractor(KmerSettings settings)
    {
        if (settings.KmerSize == 0)
        {
            throw new ArgumentException("The settings are not initialised; create them with new KmerSettings(k, b).", nameof(settings));
        }

        Settings = settings;
        _kmerSize = settings.KmerSize;
        _occurBitlen = settings.OccurBitlen;
        _kmerMask = _kmerSize == 32 ? ulong.MaxValue : (1UL << (2 * _kmerSize)) - 1;
        _maxOccurrences = _occurBitlen == 0 ? 1u : 1u << _occurBitlen;
        _saturatedCount = _maxOccurrences + 1;
        _generationStep = 1u << (_occurBitlen + 2);
        _slots = new Slot[1 << MinTableBits];
    }

    /// <summary>The k and b the keys are made with.</summary>
    public KmerSettings Settings { get; }

    /// <summary>
    /// Per DNA4 byte (two codes): the two bases as four DNA2 bits when both
    /// codes are A, C, G or T (0001, 0010, 0100, 1000), else 0xFF.
    /// </summary>
    private static ReadOnlySpan<byte> Dna4PairAsDna2 => Dna4PairTable;

    private static readonly byte[] Dna4PairTable = BuildDna4PairTable();

    private static byte[] BuildDna4PairTable()
    {
        static int Digit(int code) => code switch { 1 => 0, 2 => 1, 4 => 2, 8 => 3, _ => -1 };
        var table = new byte[256];
        for (int pair = 0; pair < 256; pair++)
        {
            int high = Digit(pair >> 4);
            int low = Digit(pair & 0xF);
            table[pair] = high < 0 || low < 0 ? (byte)0xFF : (byte)((high << 2) | low);
        }

        return table;
    }

    private static ReadOnlySpan<byte> SymbolInfo =>
    [
        Blocker,   // 0000: no base
        0,         // A
        1,         // C
        Ambiguous, // M = A|C
        2,         // G
        Ambiguous, // R = A|G
        Ambiguous, // S = C|G
        Ambiguous, // V = A|C|G
        3,         // T
        Ambiguous, // W = A|T
        Ambiguous, // Y = C|T
        Ambiguous, // H = A|C|T
        Ambiguous, // K = G|T
        Ambiguous, // D = A|G|T
        Ambiguous, // B = C|G|T
        Blocker,   // N
    ];

    /// <summary>
    /// The most keys a sequence of <paramref name="length"/> symbols can yield:
    /// one per window for DNA2, three per window for DNA4 (and for queries,
    /// pass <see cref="DnaAlphabet.Dna4"/>); 0 when it is shorter than k.
    /// A <see cref="Span{T}"/> destination must be at least this long.
    /// </summary>
    public int MaxKeys(DnaAlphabet alphabet, int length)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int windows = Math.Max(0, length - _kmerSize + 1);
        return ReferenceEquals(alphabet, DnaAlphabet.Dna2) ? windows : checked(windows * 3);
    }

    /// <summary>
    /// Writes the keys of a stored value to <paramref name="destination"/> in
    /// emission order. A value shorter than k yields no keys.
    /// </summary>
    /// <returns>The number of keys written.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="destination"/> is shorter than <see cref="MaxKeys"/> for the value.
    /// </exception>
    public int Extract(PackedDna value, Span<ulong> destination)
    {
        CheckDestination(destination, MaxKeys(value.Alphabet, value.Length));
        var output = new SpanOutput(destination);
        return ExtractValue(value, ref output);
    }

    /// <summary>Appends the keys of a stored value to <paramref name="destination"/>.</summary>
    /// <returns>The number of keys appended.</returns>
    public int Extract(PackedDna value, List<ulong> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var sink = new ListSink(destination);
        return Extract(value, ref sink);
    }

    /// <summary>
    /// Passes the keys of a stored value to <paramref name="sink"/> in emission
    /// order. A value shorter than k yields no keys (and no error).
    /// </summary>
    /// <returns>The number of keys passed.</returns>
    public int Extract<TSink>(PackedDna value, ref TSink sink)
        where TSink : INgramKeySink, allows ref struct
    {
        var output = new SinkOutput<TSink>(sink);
        try
        {
            return ExtractValue(value, ref output);
        }
        finally
        {
            sink = output.Sink;
        }
    }

    private int ExtractValue<TOutput>(PackedDna value, ref TOutput output)
        where TOutput : IKeyOutput, allows ref struct
    {
        int length = value.Length;
        if (length < _kmerSize)
        {
            return 0;
        }

        ReadOnlySpan<byte> data = value.Data.Span;
        if (ReferenceEquals(value.Alphabet, DnaAlphabet.Dna2))
        {
            return BeginSequence(length - _kmerSize + 1) switch
            {
                TableKind.Direct => ExtractDna2(data, length, ref output, StartDirect()),
                TableKind.Compact => ExtractDna2(data, length, ref output, StartCompact()),
                _ => ExtractDna2(data, length, ref output, new GeneralCounter(this)),
            };
        }

        // Without ambiguity codes or N every window is its one k-mer, in order:
        // the keys are those of the same bases as DNA2, which its path extracts faster.
        if (TryRepackAsDna2(data, length, out ReadOnlySpan<byte> dna2))
        {
            return BeginSequence(length - _kmerSize + 1) switch
            {
                TableKind.Direct => ExtractDna2(dna2, length, ref output, StartDirect()),
                TableKind.Compact => ExtractDna2(dna2, length, ref output, StartCompact()),
                _ => ExtractDna2(dna2, length, ref output, new GeneralCounter(this)),
            };
        }

        var symbols = new PackedDna4Symbols(data);
        return BeginSequence(checked((length - _kmerSize + 1) * 3)) switch
        {
            TableKind.Direct => ExtractDegenerate(ref symbols, length, ref output, StartDirect()),
            TableKind.Compact => ExtractDegenerate(ref symbols, length, ref output, StartCompact()),
            _ => ExtractDegenerate(ref symbols, length, ref output, new GeneralCounter(this)),
        };
    }

    /// <summary>
    /// Repacks DNA4 data (two codes a byte, the first in the high nibble) of
    /// <paramref name="length"/> bases as DNA2 (four bases a byte, the first in
    /// the top bits) into a buffer of the extractor's, unless a code is not A,
    /// C, G or T.
    /// </summary>
    private bool TryRepackAsDna2(ReadOnlySpan<byte> dna4, int length, out ReadOnlySpan<byte> dna2)
    {
        int bytes = (length + 3) >> 2;
        if (_repacked.Length < bytes)
        {
            _repacked = new byte[Math.Max(bytes, 2 * _repacked.Length)];
        }

        Span<byte> target = _repacked.AsSpan(0, bytes);
        ReadOnlySpan<byte> pairs = Dna4PairAsDna2;
        int fullPairs = length >> 1;
        for (int j = 0; j < fullPairs; j++)
        {
            // Two bases as four DNA2 bits, or 0xFF.
            int bits = pairs[dna4[j]];
            if (bits > 0xF)
            {
                dna2 = default;
                return false;
            }

            if ((j & 1) == 0)
            {
                target[j >> 1] = (byte)(bits << 4);
            }
            else
            {
                target[j >> 1] |= (byte)bits;
            }
        }

        if ((length & 1) != 0)
        {
            // The last base, alone in the high nibble of the last byte.
            int bits = pairs[dna4[fullPairs] | 0x1];
            if (bits > 0xF)
            {
                dna2 = default;
                return false;
            }

            int last = length - 1;
            int shift = 6 - ((last & 3) << 1);
            byte digit = (byte)((bits >> 2) << shift);
            target[last >> 2] = (last & 3) == 0 ? digit : (byte)(target[last >> 2] | digit);
        }

        dna2 = target;
        return true;
    }

    /// <summary>
    /// Writes the keys of a k-mer query (UTF-8 text, as the server receives it)
    /// to <paramref name="destination"/> in emission order.
    /// </summary>
    /// <returns>The number of keys written.</returns>
    /// <exception cref="InvalidDnaException">
    /// 22023 if the query has fewer than k bytes (checked first);
    /// 22P02 naming the first byte that is not one of ACGTUMRWSYKVHDBN in either case.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="destination"/> is shorter than <see cref="MaxKeys"/> (DNA4) for the query.
    /// </exception>
    public int ExtractQuery(ReadOnlySpan<byte> utf8Query, Span<ulong> destination)
    {
        ValidateQuery(utf8Query);
        CheckDestination(destination, MaxKeys(DnaAlphabet.Dna4, utf8Query.Length));
        var output = new SpanOutput(destination);
        return ExtractValidQuery(utf8Query, ref output);
    }

    /// <summary>Appends the keys of a k-mer query to <paramref name="destination"/>.</summary>
    /// <returns>The number of keys appended.</returns>
    /// <exception cref="InvalidDnaException">22023 or 22P02, as for the UTF-8 overload (lengths and offsets count UTF-8 bytes).</exception>
    public int ExtractQuery(string query, List<ulong> destination)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(destination);

        using var utf8 = new PooledUtf8(query, stackalloc byte[PooledUtf8.StackBufferSize]);
        var sink = new ListSink(destination);
        return ExtractQuery(utf8.Bytes, ref sink);
    }

    /// <summary>Passes the keys of a k-mer query (UTF-8 text) to <paramref name="sink"/> in emission order.</summary>
    /// <returns>The number of keys passed.</returns>
    /// <exception cref="InvalidDnaException">22023 or 22P02, as for the <see cref="Span{T}"/> overload.</exception>
    public int ExtractQuery<TSink>(ReadOnlySpan<byte> utf8Query, ref TSink sink)
        where TSink : INgramKeySink, allows ref struct
    {
        ValidateQuery(utf8Query);
        var output = new SinkOutput<TSink>(sink);
        try
        {
            return ExtractValidQuery(utf8Query, ref output);
        }
        finally
        {
            sink = output.Sink;
        }
    }

    private static void CheckDestination(Span<ulong> destination, int needed)
    {
        if (destination.Length < needed)
        {
            throw new ArgumentException($"The destination must hold at least {needed} keys (MaxKeys) but has room for {destination.Length}.", nameof(destination));
        }
    }

    private void ValidateQuery(ReadOnlySpan<byte> utf8Query)
    {
        if (utf8Query.Length < _kmerSize)
        {
            throw InvalidDnaException.QueryTooShort(utf8Query.Length, _kmerSize);
        }

        int bad = utf8Query.IndexOfAnyExcept(DnaAlphabet.Dna4.AcceptedBytes);
        if (bad >= 0)
        {
            throw InvalidDnaException.BadQueryText(utf8Query[bad], bad);
        }
    }

    private int ExtractValidQuery<TOutput>(ReadOnlySpan<byte> utf8Query, ref TOutput output)
        where TOutput : IKeyOutput, allows ref struct
    {
        var symbols = new TextSymbols(utf8Query, DnaAlphabet.Dna4.CodeTable);
        int length = utf8Query.Length;
        return BeginSequence(checked((length - _kmerSize + 1) * 3)) switch
        {
            TableKind.Direct => ExtractDegenerate(ref symbols, length, ref output, StartDirect()),
            TableKind.Compact => ExtractDegenerate(ref symbols, length, ref output, StartCompact()),
            _ => ExtractDegenerate(ref symbols, length, ref output, new GeneralCounter(this)),
        };
    }

    private int ExtractDna2<TOutput, TCounter>(ReadOnlySpan<byte> data, int length, ref TOutput output, TCounter counter)
        where TOutput : IKeyOutput, allows ref struct
        where TCounter : IOccurrenceCounter, allows ref struct
    {
        int k = _kmerSize;
        int b = _occurBitlen;
        uint maxOccurrences = _maxOccurrences;
        ulong mask = _kmerMask;
        ulong kmer = 0;
        int emitted = 0;

        // The first k - 1 bases only fill the window.
        int i = 0;
        for (; i < k - 1; i++)
        {
            kmer = (kmer << 2) | (uint)((data[i >> 2] >> (6 - ((i & 3) << 1))) & 3);
        }

        // Then whole bytes of four bases while they last.
        while (i < length && (i & 3) != 0)
        {
            kmer = ((kmer << 2) | (uint)((data[i >> 2] >> (6 - ((i & 3) << 1))) & 3)) & mask;
            Emit(kmer, b, maxOccurrences, ref counter, ref output, ref emitted);
            i++;
        }

        int fullBytesEnd = length >> 2;
        for (int o = i >> 2; o < fullBytesEnd; o++)
        {
            uint packed = data[o];
            kmer = ((kmer << 2) | (packed >> 6)) & mask;
            Emit(kmer, b, maxOccurrences, ref counter, ref output, ref emitted);
            kmer = ((kmer << 2) | ((packed >> 4) & 3)) & mask;
            Emit(kmer, b, maxOccurrences, ref counter, ref output, ref emitted);
            kmer = ((kmer << 2) | ((packed >> 2) & 3)) & mask;
            Emit(kmer, b, maxOccurrences, ref counter, ref output, ref emitted);
            kmer = ((kmer << 2) | (packed & 3)) & mask;
            Emit(kmer, b, maxOccurrences, ref counter, ref output, ref emitted);
        }

        for (i = Math.Max(i, fullBytesEnd << 2); i < length; i++)
        {
            kmer = ((kmer << 2) | (uint)((data[i >> 2] >> (6 - ((i & 3) << 1))) & 3)) & mask;
            Emit(kmer, b, maxOccurrences, ref counter, ref output, ref emitted);
        }

        return emitted;
    }

    private int ExtractDegenerate<TSymbols, TOutput, TCounter>(ref TSymbols symbols, int length, ref TOutput output, TCounter counter)
        where TSymbols : ISymbols, allows ref struct
        where TOutput : IKeyOutput, allows ref struct
        where TCounter : IOccurrenceCounter, allows ref struct
    {
        int k = _kmerSize;
        int b = _occurBitlen;
        uint maxOccurrences = _maxOccurrences;
        ulong mask = _kmerMask;
        ReadOnlySpan<byte> info = SymbolInfo;
        ulong kmer = 0;
        int emitted = 0;

        // Positions of the last blocker and of the last two ambiguity codes,
        // and the code of the last ambiguity code.
        int lastBlocker = -1;
        int lastAmbiguous = -1;
        int previousAmbiguous = -1;
        int ambiguousCode = 0;

        for (int i = 0; i < length; i++)
        {
            int code = symbols.CodeAt(i);
            int symbol = info[code];
            kmer = ((kmer << 2) | (uint)(symbol & 3)) & mask;
            if (symbol >= Ambiguous)
            {
                if (symbol == Blocker)
                {
                    lastBlocker = i;
                }
                else
                {
                    previousAmbiguous = lastAmbiguous;
                    lastAmbiguous = i;
                    ambiguousCode = code;
                }
            }

            int start = i - k + 1;
            if (start < 0 || lastBlocker >= start || previousAmbiguous >= start)
            {
                continue;
            }

            if (lastAmbiguous < start)
            {
                Emit(kmer, b, maxOccurrences, ref counter, ref output, ref emitted);
                continue;
            }

            // One ambiguity code: it holds digit 0 in the window, so each base
            // it stands for is ORed in at its position, in A < C < G < T order.
            int shift = 2 * (i - lastAmbiguous);
            for (int digit = 0; digit < 4; digit++)
            {
                if ((ambiguousCode & (1 << digit)) != 0)
                {
                    Emit(kmer | ((ulong)digit << shift), b, maxOccurrences, ref counter, ref output, ref emitted);
                }
            }
        }

        return emitted;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Emit<TCounter, TOutput>(ulong kmer, int b, uint maxOccurrences, ref TCounter counter, ref TOutput output, ref int emitted)
        where TCounter : IOccurrenceCounter, allows ref struct
        where TOutput : IKeyOutput, allows ref struct
    {
        uint occurrence = counter.Count(kmer);
        if (occurrence <= maxOccurrences)
        {
            output.Add(emitted, (kmer << b) | (occurrence - 1));
            emitted++;
        }
    }

    /// <summary>
    /// Counts one more occurrence of <paramref name="kmer"/> in the current
    /// sequence and returns its 1-based number. Counts stop at 2^b + 1, which
    /// already means "no more keys", so they never wrap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint CountInGeneralTable(ulong kmer)
    {
        Slot[] slots = _slots;
        uint stamp = _stamp;
        int mask = _tableMask;
        int i = (int)((kmer * HashMultiplier) >> _tableShift);
        while (true)
        {
            ref Slot slot = ref slots[i];
            if (slot.Stamp != stamp)
            {
                slot.Kmer = kmer;
                slot.Stamp = stamp;
                slot.Count = 1;
                if (++_used > _growAt)
                {
                    Grow();
                }

                return 1;
            }

            if (slot.Kmer == kmer)
            {
                uint count = slot.Count;
                if (count <= _maxOccurrences)
                {
                    slot.Count = ++count;
                }

                return count;
            }

            i = (i + 1) & mask;
        }
    }

    private enum TableKind
    {
        Direct,
        Compact,
        General,
    }

    /// <summary>
    /// Starts a sequence that produces at most <paramref name="maxKmers"/>
    /// k-mer values and picks the occurrence table to count them in.
    /// </summary>
    private TableKind BeginSequence(int maxKmers)
    {
        if (_kmerSize <= MaxDirectKmerSize)
        {
            return TableKind.Direct;
        }

        // No more distinct values than 4^k either.
        long distinct = _kmerSize < 16 ? Math.Min(maxKmers, 1L << (2 * _kmerSize)) : maxKmers;
        if (_kmerSize <= MaxCompactKmerSize && 2 * distinct <= 1L << MaxPresizedTableBits)
        {
            // At most an eighth full when the size allows it, half full at worst.
            int compactBits = MinTableBits;
            while (compactBits < MaxPresizedTableBits && (1L << compactBits) < 8 * distinct)
            {
                compactBits++;
            }

            _compactBits = compactBits;
            return TableKind.Compact;
        }

        BeginGeneralSequence(distinct);
        return TableKind.General;
    }

    private void BeginGeneralSequence(long distinct)
    {
        int bits = MinTableBits;
        while (bits < MaxPresizedTableBits && (1L << bits) < 2 * distinct)
        {
            bits++;
        }

        if (_slots.Length < 1 << bits)
        {
            _slots = new Slot[1 << bits];
            _stamp = 0;
        }

        SetTableBits(bits);
        _used = 0;
        if (++_stamp == 0)
        {
            // After 2^32 sequences a stale stamp could match again.
            Array.Clear(_slots);
            _stamp = 1;
        }
    }

    /// <summary>Returns the next generation base, clearing <paramref name="table"/> when the bases run out.</summary>
    private uint NextGeneration(uint current, Array table)
    {
        // Every entry stays below base + step, and base + step must not wrap.
        if (current == 0 || current >= uint.MaxValue - 2 * _generationStep)
        {
            Array.Clear(table);
            return _generationStep;
        }

        return current + _generationStep;
    }

    private DirectCounter StartDirect()
    {
        _direct ??= new uint[1 << (2 * _kmerSize)];
        _directBase = NextGeneration(_directBase, _direct);
        return new DirectCounter(_direct, _directBase, _saturatedCount);
    }

    private CompactCounter StartCompact()
    {
        int size = 1 << _compactBits;
        if (_compact is null || _compact.Length < size)
        {
            _compact = new ulong[size];
            _compactBase = 0;
        }

        _compactBase = NextGeneration(_compactBase, _compact);
        return new CompactCounter(_compact, _compactBits, _compactBase, _saturatedCount);
    }

    private void SetTableBits(int bits)
    {
        _tableMask = (1 << bits) - 1;
        _tableShift = 64 - bits;
        _growAt = 1 << (bits - 1);
    }

    /// <summary>Doubles the table in use, keeping the current sequence's entries.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow()
    {
        Slot[] old = _slots;
        int oldSize = _tableMask + 1;
        uint stamp = _stamp;
        int bits = 64 - _tableShift + 1;
        var slots = new Slot[1 << bits];
        int mask = slots.Length - 1;
        for (int j = 0; j < oldSize; j++)
        {
            ref Slot entry = ref old[j];
            if (entry.Stamp != stamp)
            {
                continue;
            }

            int i = (int)((entry.Kmer * HashMultiplier) >> (64 - bits));
            while (slots[i].Stamp == stamp)
            {
                i = (i + 1) & mask;
            }

            slots[i] = entry;
        }

        _slots = slots;
        SetTableBits(bits);
    }

    private interface IOccurrenceCounter
    {
        /// <summary>
        /// Counts one more occurrence of <paramref name="kmer"/> in the current
        /// sequence and returns its 1-based number; past 2^b + 1 the number only
        /// has to stay above 2^b.
        /// </summary>
        uint Count(ulong kmer);
    }

    /// <summary>
    /// Counts in a table with one uint per k-mer value (k ≤ 8): generation base
    /// + occurrences so far, so a stale entry reads as zero occurrences.
    /// </summary>
    private readonly ref struct DirectCounter : IOccurrenceCounter
    {
        private readonly ref uint _entries;
        private readonly uint _base;
        private readonly uint _saturated;

        public DirectCounter(uint[] entries, uint generationBase, uint saturatedCount)
        {
            _entries = ref MemoryMarshal.GetArrayDataReference(entries);
            _base = generationBase;
            _saturated = generationBase + saturatedCount;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint Count(ulong kmer)
        {
            // kmer < 4^k, the table's length: no bounds check needed.
            ref uint entry = ref Unsafe.Add(ref _entries, (nint)kmer);
            uint next = Math.Max(entry, _base) + 1;
            entry = Math.Min(next, _saturated);
            return next - _base;
        }
    }

    /// <summary>
    /// Counts in an open-addressing table of one ulong a slot for k ≤ 16 and a
    /// sequence the presized table holds: the k-mer in the upper 32 bits,
    /// generation base + occurrences so far in the lower 32 bits.
    /// </summary>
    private readonly ref struct CompactCounter : IOccurrenceCounter
    {
        private readonly ref ulong _slots;
        private readonly int _mask;
        private readonly int _shift;
        private readonly uint _base;
        private readonly uint _saturatedCount;

        public CompactCounter(ulong[] slots, int bits, uint generationBase, uint saturatedCount)
        {
            _slots = ref MemoryMarshal.GetArrayDataReference(slots);
            _mask = (1 << bits) - 1;
            _shift = 64 - bits;
            _base = generationBase;
            _saturatedCount = saturatedCount;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint Count(ulong kmer)
        {
            // A slot of this k-mer in this generation lies in [tag, tag + 2^b + 1];
            // anything else lies outside, as the lower half never exceeds
            // base + 2^b + 1 and never wraps.
            ulong tag = (kmer << 32) | _base;
            int i = (int)((kmer * HashMultiplier) >> _shift);
            while (true)
            {
                // i ≤ mask < the table's length: no bounds check needed.
                ref ulong slot = ref Unsafe.Add(ref _slots, i);
                ulong current = slot;
                if ((uint)current < _base)
                {
                    slot = tag + 1;
                    return 1;
                }

                ulong seen = current - tag;
                if (seen <= _saturatedCount)
                {
                    if (seen < _saturatedCount)
                    {
                        slot = current + 1;
                    }

                    return (uint)seen + 1;
                }

                i = (i + 1) & _mask;
            }
        }
    }

    /// <summary>Counts in the general table, which grows for long sequences.</summary>
    private readonly struct GeneralCounter(NgramKeyExtractor owner) : IOccurrenceCounter
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint Count(ulong kmer) => owner.CountInGeneralTable(kmer);
    }

    private struct Slot
    {
        public ulong Kmer;
        public uint Stamp;
        public uint Count;
    }

    private interface ISymbols
    {
        int CodeAt(int index);
    }

    /// <summary>DNA4 codes of a packed DNA4 value (two symbols a byte, high nibble first).</summary>
    private readonly ref struct PackedDna4Symbols : ISymbols
    {
        private readonly ReadOnlySpan<byte> _data;

        public PackedDna4Symbols(ReadOnlySpan<byte> data) => _data = data;

        public int CodeAt(int index) => (_data[index >> 1] >> ((~index & 1) << 2)) & 0xF;
    }

    /// <summary>DNA4 codes of validated query text.</summary>
    private readonly ref struct TextSymbols : ISymbols
    {
        private readonly ReadOnlySpan<byte> _text;
        private readonly ReadOnlySpan<byte> _codeTable;

        public TextSymbols(ReadOnlySpan<byte> text, ReadOnlySpan<byte> codeTable)
        {
            _text = text;
            _codeTable = codeTable;
        }

        public int CodeAt(int index) => _codeTable[_text[index]];
    }

    /// <summary>Where the loops put the keys; the index is the number of keys before this one.</summary>
    private interface IKeyOutput
    {
        void Add(int index, ulong key);
    }

    /// <summary>
    /// Writes into a destination already checked to hold <see cref="MaxKeys"/>
    /// keys; the index of a key never reaches that, so no bounds check is needed.
    /// </summary>
    private readonly ref struct SpanOutput : IKeyOutput
    {
        private readonly ref ulong _first;

        public SpanOutput(Span<ulong> destination) => _first = ref MemoryMarshal.GetReference(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int index, ulong key) => Unsafe.Add(ref _first, index) = key;
    }

    /// <summary>
    /// Passes the keys to a caller's sink, held here while a sequence is
    /// extracted and copied back afterwards (a ref field cannot refer to a
    /// ref struct sink).
    /// </summary>
    private ref struct SinkOutput<TSink> : IKeyOutput
        where TSink : INgramKeySink, allows ref struct
    {
        public TSink Sink;

        public SinkOutput(TSink sink) => Sink = sink;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int index, ulong key) => Sink.Add(key);
    }

    private readonly struct ListSink : INgramKeySink
    {
        private readonly List<ulong> _destination;

        public ListSink(List<ulong> destination) => _destination = destination;

        public void Add(ulong key) => _destination.Add(key);
    }
}
