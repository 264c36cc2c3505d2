using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Kmer.Core;

/// <summary>
/// Converts DNA2/DNA4 values between text, the packed form and PostgreSQL's
/// binary send/recv format. One code path serves both types: everything
/// type-specific comes from the <see cref="DnaAlphabet"/> tables.
/// </summary>
/// <remarks>
/// Wire format: a big-endian int32 bit length, then exactly
/// ceil(bit length / 8) data bytes packed most significant bit first.
/// <see cref="ReadWire"/> validates it strictly (see the method), so every
/// <see cref="PackedDna"/> is well formed and prints without error.
/// </remarks>
public static class DnaCodec
{
    /// <summary>Size of the bit-length word that starts the wire format.</summary>
    public const int WireHeaderLength = 4;

    /// <summary>Parses text input (converted to UTF-8 first).</summary>
    /// <exception cref="InvalidDnaException">SQLSTATE 22P02 for a character the type does not accept.</exception>
    public static PackedDna Encode(DnaAlphabet alphabet, string text)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        ArgumentNullException.ThrowIfNull(text);

        using var utf8 = new PooledUtf8(text, stackalloc byte[PooledUtf8.StackBufferSize]);
        return Encode(alphabet, utf8.Bytes);
    }

    /// <summary>
    /// Parses text input given as UTF-8 bytes. Every byte must be an accepted
    /// letter of either case; there is no trimming. U is stored as T.
    /// </summary>
    /// <exception cref="InvalidDnaException">
    /// SQLSTATE 22P02 naming the first byte not accepted and its offset;
    /// 54000 if the bit length would not fit in an int32.
    /// </exception>
    public static PackedDna Encode(DnaAlphabet alphabet, ReadOnlySpan<byte> utf8Text)
    {
        ArgumentNullException.ThrowIfNull(alphabet);

        int bad = utf8Text.IndexOfAnyExcept(alphabet.AcceptedBytes);
        if (bad >= 0)
        {
            throw InvalidDnaException.BadText(alphabet, utf8Text[bad], bad);
        }

        int bits = alphabet.BitsPerBase;
        if (utf8Text.Length > int.MaxValue / bits)
        {
            throw InvalidDnaException.TooLong(alphabet, utf8Text.Length);
        }

        int bitLength = utf8Text.Length * bits;
        if (bitLength == 0)
        {
            return new PackedDna(alphabet, 0, ReadOnlyMemory<byte>.Empty);
        }

        // Every byte is written below, padding included.
        byte[] data = GC.AllocateUninitializedArray<byte>(DataLength(bitLength));
        Pack(alphabet, utf8Text, data);
        return new PackedDna(alphabet, bitLength, data);
    }

    /// <summary>Prints the value as upper-case letters (DNA4 code 0000 as '?').</summary>
    public static string Decode(PackedDna value)
    {
        if (value.IsEmpty)
        {
            return string.Empty;
        }

        return string.Create(value.Length, value, static (chars, v) =>
        {
            DnaAlphabet alphabet = v.Alphabet;
            string letters = alphabet.Letters;
            int bits = alphabet.BitsPerBase;
            int mask = alphabet.CodeMask;
            int i = 0;
            foreach (byte b in v.Data.Span)
            {
                for (int shift = 8 - bits; shift >= 0 && i < chars.Length; shift -= bits)
                {
                    chars[i++] = letters[(b >> shift) & mask];
                }
            }
        });
    }

    /// <summary>
    /// Reads one value in the binary send/recv format. The span must hold
    /// exactly one value. The data bytes are copied.
    /// </summary>
    /// <exception cref="InvalidDnaException">
    /// 08P01 if the 4-byte length or the data is cut short;
    /// 22P03 if the bit length is negative or not a multiple of
    /// <see cref="DnaAlphabet.BitsPerBase"/>, padding bits are not zero,
    /// a symbol has a code text input never produces (DNA4 0000), or bytes
    /// follow the data.
    /// </exception>
    public static PackedDna ReadWire(DnaAlphabet alphabet, ReadOnlySpan<byte> wire)
    {
        int bitLength = CheckWire(alphabet, wire);
        return new PackedDna(alphabet, bitLength, wire.Slice(WireHeaderLength, DataLength(bitLength)).ToArray());
    }

    /// <summary>
    /// Reads one value in the binary send/recv format, as <see cref="ReadWire"/>,
    /// without copying: the value's data is a slice of <paramref name="wire"/>, which must not change while the value is used.
    /// </summary>
    /// <exception cref="InvalidDnaException">As the copying overload.</exception>
    public static PackedDna ReadWireView(DnaAlphabet alphabet, ReadOnlyMemory<byte> wire)
    {
        int bitLength = CheckWire(alphabet, wire.Span);
        return new PackedDna(alphabet, bitLength, wire.Slice(WireHeaderLength, DataLength(bitLength)));
    }

    /// <summary>Checks one value in the wire format (see <see cref="ReadWire"/>) and returns its bit length.</summary>
    private static int CheckWire(DnaAlphabet alphabet, ReadOnlySpan<byte> wire)
    {
        ArgumentNullException.ThrowIfNull(alphabet);

        // Checks run in the order PostgreSQL would meet the problems: inside
        // recv while reading the length and then the data, and only after
        // recv returns, the check for unread bytes.
        if (wire.Length < WireHeaderLength)
        {
            throw InvalidDnaException.TruncatedLength(alphabet, wire.Length);
        }

        int bitLength = BinaryPrimitives.ReadInt32BigEndian(wire);
        int bits = alphabet.BitsPerBase;
        if (bitLength < 0 || bitLength % bits != 0)
        {
            throw InvalidDnaException.BadBitLength(alphabet, bitLength);
        }

        int needed = DataLength(bitLength);
        ReadOnlySpan<byte> payload = wire[WireHeaderLength..];
        if (payload.Length < needed)
        {
            throw InvalidDnaException.MissingData(alphabet, bitLength, needed, payload.Length);
        }

        ReadOnlySpan<byte> data = payload[..needed];
        int fullBytes = bitLength >> 3;
        int usedBitsInLast = bitLength & 7;
        if (usedBitsInLast != 0 && (data[fullBytes] & (0xFF >> usedBitsInLast)) != 0)
        {
            throw InvalidDnaException.NonZeroPadding(alphabet, data[fullBytes], usedBitsInLast);
        }

        if (alphabet.HasInvalidCodes)
        {
            CheckCodes(alphabet, data, fullBytes, usedBitsInLast);
        }

        if (payload.Length > needed)
        {
            throw InvalidDnaException.TrailingBytes(alphabet, payload.Length - needed);
        }

        return bitLength;
    }

    /// <summary>Size of the value in the wire format: 4 + ceil(bit length / 8).</summary>
    public static int GetWireLength(PackedDna value) => WireHeaderLength + value.Data.Length;

    /// <summary>Writes the value in the binary send/recv format to a new array.</summary>
    public static byte[] WriteWire(PackedDna value)
    {
        byte[] wire = new byte[GetWireLength(value)];
        WriteWireCore(value, wire);
        return wire;
    }

    /// <summary>Writes the value in the binary send/recv format; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="GetWireLength"/>.</exception>
    public static int WriteWire(PackedDna value, Span<byte> destination)
    {
        int length = GetWireLength(value);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The value needs {length} bytes but the destination has {destination.Length}.", nameof(destination));
        }

        WriteWireCore(value, destination);
        return length;
    }

    /// <summary>Appends the value in the binary send/recv format to <paramref name="writer"/>.</summary>
    public static void WriteWire(PackedDna value, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int length = GetWireLength(value);
        WriteWireCore(value, writer.GetSpan(length));
        writer.Advance(length);
    }

    private static void WriteWireCore(PackedDna value, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, value.BitLength);
        value.Data.Span.CopyTo(destination[WireHeaderLength..]);
    }

    /// <summary>ceil(bitLength / 8) without overflowing near int.MaxValue.</summary>
    private static int DataLength(int bitLength) => (bitLength >> 3) + ((bitLength & 7) != 0 ? 1 : 0);

    private static void Pack(DnaAlphabet alphabet, ReadOnlySpan<byte> text, Span<byte> data)
    {
        ReadOnlySpan<byte> table = alphabet.CodeTable;
        int bits = alphabet.BitsPerBase;
        int basesPerByte = alphabet.BasesPerByte;
        int fullBytes = text.Length / basesPerByte;
        int i = 0;
        for (int o = 0; o < fullBytes; o++)
        {
            int acc = 0;
            for (int k = 0; k < basesPerByte; k++)
            {
                acc = (acc << bits) | table[text[i++]];
            }

            data[o] = (byte)acc;
        }

        if (i < text.Length)
        {
            int acc = 0;
            int used = 0;
            for (; i < text.Length; i++)
            {
                acc = (acc << bits) | table[text[i]];
                used += bits;
            }

            data[fullBytes] = (byte)(acc << (8 - used));
        }
    }

    private static void CheckCodes(DnaAlphabet alphabet, ReadOnlySpan<byte> data, int fullBytes, int usedBitsInLast)
    {
        int bits = alphabet.BitsPerBase;
        int badByte = data[..fullBytes].IndexOfAny(alphabet.BytesWithInvalidCode);
        int symbolsToCheck;
        if (badByte >= 0)
        {
            symbolsToCheck = alphabet.BasesPerByte;
        }
        else if (usedBitsInLast != 0)
        {
            badByte = fullBytes;
            symbolsToCheck = usedBitsInLast / bits;
        }
        else
        {
            return;
        }

        byte b = data[badByte];
        for (int k = 0; k < symbolsToCheck; k++)
        {
            int code = (b >> (8 - bits * (k + 1))) & alphabet.CodeMask;
            if (!alphabet.IsValidCode(code))
            {
                throw InvalidDnaException.BadCode(alphabet, code, badByte * alphabet.BasesPerByte + k);
            }
        }
    }
}
