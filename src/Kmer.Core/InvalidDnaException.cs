using System.Globalization;

namespace Kmer.Core;

/// <summary>
/// A DNA2/DNA4 value could not be read, from text or from the binary wire
/// format. Carries the SQLSTATE, detail and hint that PostgreSQL reports.
/// </summary>
public sealed class InvalidDnaException : Exception
{
    /// <summary>SQLSTATE for text input the type does not accept.</summary>
    public const string InvalidTextRepresentation = "22P02";

    /// <summary>SQLSTATE for a malformed binary value.</summary>
    public const string InvalidBinaryRepresentation = "22P03";

    /// <summary>SQLSTATE for a binary value shorter than its length word says.</summary>
    public const string ProtocolViolation = "08P01";

    /// <summary>SQLSTATE for a value with more bits than an int32 bit length can count.</summary>
    public const string ProgramLimitExceeded = "54000";

    /// <summary>SQLSTATE for a k-mer query shorter than k.</summary>
    public const string InvalidParameterValue = "22023";

    private const string QueryHint =
        "A query may contain only the letters A, C, G, T, U, M, R, W, S, Y, K, V, H, D, B and N, in upper or lower case.";

    /// <summary>Creates an exception with the given SQLSTATE and texts.</summary>
    public InvalidDnaException(string sqlState, string message, string? detail = null, string? hint = null)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrEmpty(sqlState);
        SqlState = sqlState;
        Detail = detail;
        Hint = hint;
    }

    private InvalidDnaException(string message, string detail, string hint, byte badByte, int byteOffset)
        : base(message)
    {
        SqlState = InvalidTextRepresentation;
        Detail = detail;
        Hint = hint;
        BadByte = badByte;
        ByteOffset = byteOffset;
    }

    /// <summary>The five-character SQLSTATE code.</summary>
    public string SqlState { get; }

    /// <summary>Secondary explanation (PostgreSQL's DETAIL), if any.</summary>
    public string? Detail { get; }

    /// <summary>What the user can do about it (PostgreSQL's HINT), if any.</summary>
    public string? Hint { get; }

    /// <summary>For text input errors: the first byte the type does not accept.</summary>
    public byte? BadByte { get; }

    /// <summary>For text input errors: the 0-based offset of <see cref="BadByte"/> in the UTF-8 input.</summary>
    public int? ByteOffset { get; }

    internal static InvalidDnaException BadText(DnaAlphabet alphabet, byte badByte, int byteOffset) =>
        new($"invalid character \"{ShowByte(badByte)}\" in {alphabet.Name} input",
            string.Create(CultureInfo.InvariantCulture, $"The character is byte {byteOffset + 1} of the input."),
            alphabet.Hint,
            badByte,
            byteOffset);

    internal static InvalidDnaException BadQueryText(byte badByte, int byteOffset) =>
        new($"invalid character \"{ShowByte(badByte)}\" in k-mer query",
            string.Create(CultureInfo.InvariantCulture, $"The character is byte {byteOffset + 1} of the query."),
            QueryHint,
            badByte,
            byteOffset);

    internal static InvalidDnaException QueryTooShort(int length, int kmerSize) =>
        new(InvalidParameterValue,
            string.Create(CultureInfo.InvariantCulture, $"query sequence is too short for k-mer search: the minimum length is {kmerSize}"),
            string.Create(CultureInfo.InvariantCulture, $"The query has {length} characters; kmersearch.kmer_size = {kmerSize} needs at least {kmerSize}."));

    internal static InvalidDnaException TooLong(DnaAlphabet alphabet, long bases) =>
        new(ProgramLimitExceeded,
            $"{alphabet.Name} value is too long",
            string.Create(CultureInfo.InvariantCulture, $"{bases} bases need more than the {int.MaxValue} bits a {alphabet.Name} value can hold."));

    internal static InvalidDnaException TruncatedLength(DnaAlphabet alphabet, int available) =>
        new(ProtocolViolation,
            "insufficient data left in message",
            string.Create(CultureInfo.InvariantCulture, $"A binary {alphabet.Name} value starts with a 4-byte bit length, but only {available} bytes were sent."));

    internal static InvalidDnaException BadBitLength(DnaAlphabet alphabet, int bitLength) =>
        new(InvalidBinaryRepresentation,
            string.Create(CultureInfo.InvariantCulture, $"invalid bit length {bitLength} in binary {alphabet.Name} value"),
            string.Create(CultureInfo.InvariantCulture, $"The bit length must be a non-negative multiple of {alphabet.BitsPerBase}."));

    internal static InvalidDnaException MissingData(DnaAlphabet alphabet, int bitLength, int needed, int available) =>
        new(ProtocolViolation,
            "insufficient data left in message",
            string.Create(CultureInfo.InvariantCulture, $"A binary {alphabet.Name} value of {bitLength} bits needs {needed} data bytes, but only {available} were sent."));

    internal static InvalidDnaException NonZeroPadding(DnaAlphabet alphabet, byte lastByte, int usedBits) =>
        new(InvalidBinaryRepresentation,
            string.Create(CultureInfo.InvariantCulture, $"invalid padding in binary {alphabet.Name} value"),
            string.Create(CultureInfo.InvariantCulture, $"The last data byte is 0x{lastByte:x2}; its low {8 - usedBits} bits follow the last base and must be zero."));

    internal static InvalidDnaException BadCode(DnaAlphabet alphabet, int code, int baseIndex) =>
        new(InvalidBinaryRepresentation,
            string.Create(CultureInfo.InvariantCulture, $"invalid symbol code {Convert.ToString(code, 2).PadLeft(alphabet.BitsPerBase, '0')} at position {baseIndex + 1} in binary {alphabet.Name} value"),
            $"Every {alphabet.Name} symbol must stand for at least one base.");

    internal static InvalidDnaException TrailingBytes(DnaAlphabet alphabet, int extra) =>
        new(InvalidBinaryRepresentation,
            "incorrect binary data format",
            string.Create(CultureInfo.InvariantCulture, $"A binary {alphabet.Name} value has {extra} bytes after its data."));

    // The text errors use the C extension's wording, so a message reads alike
    // whichever side raised it; unprintable bytes appear as \xHH.
    private static string ShowByte(byte badByte) =>
        badByte is > 0x20 and < 0x7F
            ? ((char)badByte).ToString()
            : string.Create(CultureInfo.InvariantCulture, $"\\x{badByte:X2}");
}
