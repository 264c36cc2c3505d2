using System.Buffers;

namespace Kmer.Core;

/// <summary>
/// The symbol set of one DNA type (DNA2 or DNA4) described as tables, so that
/// <see cref="DnaCodec"/> handles both types with one code path.
/// </summary>
/// <remarks>
/// DNA2 packs each base into 2 bits (A=0, C=1, G=2, T=3). DNA4 packs each
/// symbol into 4 bits as the set of bases it stands for (bit 0 = A, bit 1 = C,
/// bit 2 = G, bit 3 = T), so ambiguity codes are the OR of their bases and
/// code 0000 stands for no base at all. Both accept U as T and either case.
/// </remarks>
public sealed class DnaAlphabet
{
    /// <summary>The <see cref="CodeTable"/> entry of a byte the type does not accept.</summary>
    public const byte NotAccepted = 0xFF;

    private readonly byte[] _codeTable;
    private readonly bool[] _validCodes;

    /// <summary>The 2-bit alphabet: A, C, G, T (U is stored as T).</summary>
    public static DnaAlphabet Dna2 { get; } = new(
        name: "DNA2",
        bitsPerBase: 2,
        letters: "ACGT",
        acceptedLetters: "ACGTU",
        invalidCodeLetter: null);

    /// <summary>
    /// The 4-bit alphabet: one-hot A=1, C=2, G=4, T=8 and the IUPAC ambiguity
    /// codes as ORs of those (U is stored as T). Code 0 prints as '?'.
    /// </summary>
    public static DnaAlphabet Dna4 { get; } = new(
        name: "DNA4",
        bitsPerBase: 4,
        // Indexed by code: 0 is the empty set, then every subset of {A,C,G,T}
        // in bit order, e.g. 3 = A|C = M, 15 = A|C|G|T = N.
        letters: "?ACMGRSVTWYHKDBN",
        acceptedLetters: "ACGTUMRWSYKVHDBN",
        invalidCodeLetter: '?');

    private DnaAlphabet(string name, int bitsPerBase, string letters, string acceptedLetters, char? invalidCodeLetter)
    {
        Name = name;
        BitsPerBase = bitsPerBase;
        BasesPerByte = 8 / bitsPerBase;
        CodeMask = (1 << bitsPerBase) - 1;
        Letters = letters;
        AcceptedLetters = acceptedLetters;

        _codeTable = new byte[256];
        Array.Fill(_codeTable, NotAccepted);
        _validCodes = new bool[letters.Length];
        for (int code = 0; code < letters.Length; code++)
        {
            char letter = letters[code];
            if (letter == invalidCodeLetter)
            {
                continue;
            }

            _validCodes[code] = true;
            _codeTable[char.ToUpperInvariant(letter)] = (byte)code;
            _codeTable[char.ToLowerInvariant(letter)] = (byte)code;
        }

        // U is the only accepted letter that is not printed: it reads as T.
        byte t = _codeTable['T'];
        _codeTable['U'] = t;
        _codeTable['u'] = t;

        var accepted = new List<byte>();
        for (int b = 0; b < 256; b++)
        {
            if (_codeTable[b] != NotAccepted)
            {
                accepted.Add((byte)b);
            }
        }

        AcceptedBytes = SearchValues.Create(accepted.ToArray());

        // A packed byte holding a code the type never produces (only DNA4's
        // 0000) is found with one vectorised search instead of a per-symbol loop.
        var withInvalidCode = new List<byte>();
        for (int b = 0; b < 256; b++)
        {
            for (int shift = 8 - bitsPerBase; shift >= 0; shift -= bitsPerBase)
            {
                if (!_validCodes[(b >> shift) & CodeMask])
                {
                    withInvalidCode.Add((byte)b);
                    break;
                }
            }
        }

        HasInvalidCodes = withInvalidCode.Count > 0;
        BytesWithInvalidCode = SearchValues.Create(withInvalidCode.ToArray());

        Hint = $"{name} accepts only the letters {JoinLetters(acceptedLetters)}, in upper or lower case.";
    }

    /// <summary>The SQL type name, "DNA2" or "DNA4".</summary>
    public string Name { get; }

    /// <summary>Bits per packed base: 2 for DNA2, 4 for DNA4.</summary>
    public int BitsPerBase { get; }

    /// <summary>
    /// Maps every byte of text input to its code, or to <see cref="NotAccepted"/>
    /// (256 entries).
    /// </summary>
    public ReadOnlySpan<byte> CodeTable => _codeTable;

    /// <summary>
    /// The upper-case letter printed for each code, indexed by code
    /// (DNA2: "ACGT"; DNA4: "?ACMGRSVTWYHKDBN", code 0 printing '?').
    /// </summary>
    public string Letters { get; }

    /// <summary>The letters text input accepts (in either case), for error hints.</summary>
    public string AcceptedLetters { get; }

    /// <summary>Number of bases packed in one full byte.</summary>
    internal int BasesPerByte { get; }

    /// <summary>Mask of the low <see cref="BitsPerBase"/> bits.</summary>
    internal int CodeMask { get; }

    /// <summary>Every byte value that text input accepts.</summary>
    internal SearchValues<byte> AcceptedBytes { get; }

    /// <summary>Whether some code can never be produced by text input (DNA4's 0000).</summary>
    internal bool HasInvalidCodes { get; }

    /// <summary>Packed bytes in which at least one full symbol has an invalid code.</summary>
    internal SearchValues<byte> BytesWithInvalidCode { get; }

    /// <summary>The hint given with a text input error.</summary>
    internal string Hint { get; }

    /// <summary>Whether <paramref name="code"/> is a symbol text input can produce.</summary>
    public bool IsValidCode(int code) => (uint)code < (uint)_validCodes.Length && _validCodes[code];

    /// <inheritdoc />
    public override string ToString() => Name;

    private static string JoinLetters(string letters)
    {
        // "A, C, G, T and U"
        return string.Join(", ", letters[..^1].ToCharArray()) + " and " + letters[^1];
    }
}
