using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using MessagePack;

namespace Kmer.Protocol;

/// <summary>
/// Reads and writes the dynamic values of the protocol (arguments, SPI
/// parameters and rows, results) as trees of MessagePack natives, and checks
/// MessagePack structure without building values.
/// </summary>
/// <remarks>
/// Decoded values are: <c>null</c>, <see cref="bool"/>, <see cref="long"/>
/// (every integer that fits; <see cref="ulong"/> only above
/// <see cref="long.MaxValue"/>), <see cref="double"/> (float32 and float64),
/// <see cref="string"/>, <see cref="byte"/>[] (bin), <c>object?[]</c> (array)
/// and <c>Dictionary&lt;string, object?&gt;</c> (map with string keys).
/// Nesting is limited to <see cref="MaxDepth"/> levels so a hostile frame
/// cannot exhaust the stack; extension types are rejected.
/// </remarks>
internal static class MessagePackValues
{
    /// <summary>How deeply arrays and maps may nest, counting the message map itself.</summary>
    public const int MaxDepth = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Throws unless <paramref name="payload"/> is exactly one well-formed MessagePack value.</summary>
    public static void CheckSingleValue(ReadOnlyMemory<byte> payload)
    {
        var reader = new MessagePackReader(payload);
        try
        {
            Skip(ref reader, depth: 1);
        }
        catch (Exception ex) when (Translate(ex) is { } violation)
        {
            throw violation;
        }

        CheckEnd(ref reader);
    }

    /// <summary>Throws when bytes follow the value just read.</summary>
    public static void CheckEnd(ref MessagePackReader reader)
    {
        if (!reader.End)
        {
            long extra = reader.Sequence.Length - reader.Consumed;
            throw ProtocolException.Violation(
                $"trailing bytes in frame",
                $"The frame holds {extra} bytes after its MessagePack value.");
        }
    }

    /// <summary>
    /// The protocol violation for an exception MessagePack-CSharp's reader
    /// throws on malformed input, or null for any other exception.
    /// </summary>
    public static ProtocolException? Translate(Exception exception) => exception switch
    {
        EndOfStreamException => ProtocolException.Violation(
            $"truncated MessagePack value in frame", $"The frame ends inside a MessagePack value.", exception),
        MessagePackSerializationException or OverflowException => ProtocolException.Violation(
            $"malformed MessagePack value in frame", $"{exception.Message}", exception),
        _ => null,
    };

    /// <summary>Skips one value, nested at <paramref name="depth"/>.</summary>
    public static void Skip(ref MessagePackReader reader, int depth)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Array:
            {
                int count = ReadArrayHeader(ref reader, depth);
                for (int i = 0; i < count; i++)
                {
                    Skip(ref reader, depth + 1);
                }

                break;
            }

            case MessagePackType.Map:
            {
                int count = ReadMapHeader(ref reader, depth);
                for (int i = 0; i < count; i++)
                {
                    Skip(ref reader, depth + 1);
                    Skip(ref reader, depth + 1);
                }

                break;
            }

            case MessagePackType.Unknown:
                throw UnknownCode(ref reader);

            default:
                reader.Skip();
                break;
        }
    }

    /// <summary>Reads one dynamic value, nested at <paramref name="depth"/>.</summary>
    public static object? Read(ref MessagePackReader reader, int depth)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;

            case MessagePackType.Boolean:
                return reader.ReadBoolean();

            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    ulong big = reader.ReadUInt64();
                    return big <= long.MaxValue ? (long)big : big;
                }

                return reader.ReadInt64();

            case MessagePackType.Float:
                return reader.ReadDouble();

            case MessagePackType.String:
                return ReadString(ref reader);

            case MessagePackType.Binary:
                return reader.ReadBytes()!.Value.ToArray();

            case MessagePackType.Array:
            {
                int count = ReadArrayHeader(ref reader, depth);
                var array = new object?[count];
                for (int i = 0; i < count; i++)
                {
                    array[i] = Read(ref reader, depth + 1);
                }

                return array;
            }

            case MessagePackType.Map:
            {
                int count = ReadMapHeader(ref reader, depth);
                var map = new Dictionary<string, object?>(count, StringComparer.Ordinal);
                for (int i = 0; i < count; i++)
                {
                    string key = ReadMapKey(ref reader);
                    if (!map.TryAdd(key, Read(ref reader, depth + 1)))
                    {
                        throw ProtocolException.Violation($"duplicate key \"{key}\" in MessagePack map");
                    }
                }

                return map;
            }

            case MessagePackType.Extension:
                throw ProtocolException.Violation(
                    $"unexpected MessagePack extension value",
                    $"The bridge protocol uses only nil, bool, int, float, str, bin, array and map.");

            default:
                throw UnknownCode(ref reader);
        }
    }

    /// <summary>Reads a str as strict UTF-8.</summary>
    public static string ReadString(ref MessagePackReader reader)
    {
        try
        {
            if (reader.TryReadStringSpan(out ReadOnlySpan<byte> span))
            {
                return StrictUtf8.GetString(span);
            }

            return StrictUtf8.GetString(reader.ReadStringSequence()!.Value.ToArray());
        }
        catch (DecoderFallbackException ex)
        {
            throw ProtocolException.Violation($"invalid UTF-8 in MessagePack str", $"Text on the bridge must be UTF-8.", ex);
        }
    }

    /// <summary>Reads a map key, which must be a str.</summary>
    public static string ReadMapKey(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            throw ProtocolException.Violation($"MessagePack map key is {Describe(reader.NextMessagePackType)}, not str");
        }

        return ReadString(ref reader);
    }

    /// <summary>Reads an array header; checks depth and that the count can fit in the bytes left.</summary>
    public static int ReadArrayHeader(ref MessagePackReader reader, int depth)
    {
        CheckDepth(depth);
        int count = reader.ReadArrayHeader();
        CheckCount(ref reader, count, bytesPerEntry: 1);
        return count;
    }

    /// <summary>Reads a map header; checks depth and that the count can fit in the bytes left.</summary>
    public static int ReadMapHeader(ref MessagePackReader reader, int depth)
    {
        CheckDepth(depth);
        int count = reader.ReadMapHeader();
        CheckCount(ref reader, count, bytesPerEntry: 2);
        return count;
    }

    /// <summary>The protocol's name for a MessagePack type, for error messages.</summary>
    public static string Describe(MessagePackType type) => type switch
    {
        MessagePackType.Nil => "nil",
        MessagePackType.Boolean => "bool",
        MessagePackType.Integer => "int",
        MessagePackType.Float => "float",
        MessagePackType.String => "str",
        MessagePackType.Binary => "bin",
        MessagePackType.Array => "array",
        MessagePackType.Map => "map",
        MessagePackType.Extension => "ext",
        _ => "an invalid MessagePack code",
    };

    /// <summary>Writes one dynamic value (see the class remarks for the accepted types).</summary>
    public static void Write(ref MessagePackWriter writer, object? value, int depth = 1)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"A value nests more than {MaxDepth} levels deep.", nameof(value));
        }

        switch (value)
        {
            case null:
                writer.WriteNil();
                break;
            case bool b:
                writer.Write(b);
                break;
            case sbyte or short or int or long:
                writer.Write(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case byte or ushort or uint or ulong:
                writer.Write(Convert.ToUInt64(value, CultureInfo.InvariantCulture));
                break;
            case float f:
                writer.Write((double)f);
                break;
            case double d:
                writer.Write(d);
                break;
            case string s:
                writer.Write(s);
                break;
            case byte[] bytes:
                writer.Write(bytes.AsSpan());
                break;
            case IDictionary dictionary:
                writer.WriteMapHeader(dictionary.Count);
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.Write(entry.Key as string ?? throw NotStringKey(entry.Key));
                    Write(ref writer, entry.Value, depth + 1);
                }

                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
            {
                var list = pairs.ToList();
                writer.WriteMapHeader(list.Count);
                foreach (var pair in list)
                {
                    writer.Write(pair.Key);
                    Write(ref writer, pair.Value, depth + 1);
                }

                break;
            }

            case IList list:
                writer.WriteArrayHeader(list.Count);
                foreach (object? item in list)
                {
                    Write(ref writer, item, depth + 1);
                }

                break;
            case IEnumerable sequence:
            {
                var items = sequence.Cast<object?>().ToList();
                writer.WriteArrayHeader(items.Count);
                foreach (object? item in items)
                {
                    Write(ref writer, item, depth + 1);
                }

                break;
            }

            default:
                throw new ArgumentException(
                    $"A {value.GetType()} cannot cross the bridge; use null, bool, an integer, float, double, string, byte[], a list or a map with string keys.",
                    nameof(value));
        }
    }

    private static ArgumentException NotStringKey(object key) =>
        new($"A map key of type {key.GetType()} cannot cross the bridge; map keys must be strings.", nameof(key));

    private static void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
        {
            throw ProtocolException.Violation(
                $"MessagePack value nests too deeply",
                $"Arrays and maps may nest at most {MaxDepth} levels deep.");
        }
    }

    private static void CheckCount(ref MessagePackReader reader, int count, int bytesPerEntry)
    {
        long left = reader.Sequence.Length - reader.Consumed;
        if ((long)count * bytesPerEntry > left)
        {
            throw ProtocolException.Violation($"truncated MessagePack value in frame", $"The frame ends inside a MessagePack value.");
        }
    }

    private static ProtocolException UnknownCode(ref MessagePackReader reader) =>
        ProtocolException.Violation($"invalid MessagePack code 0x{reader.NextCode:x2} in frame");
}
