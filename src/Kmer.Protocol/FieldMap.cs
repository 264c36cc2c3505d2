using System.Globalization;
using System.Text.RegularExpressions;
using MessagePack;

namespace Kmer.Protocol;

/// <summary>
/// The entries of one MessagePack map with string keys, kept as raw value
/// bytes and decoded on request, so a message's fields can come in any order,
/// unknown keys cost nothing and every getter can name the key it rejects.
/// </summary>
/// <remarks>
/// Getter kinds follow docs/protocol.md: a key the table lists is required
/// (missing is a violation) unless the doc calls it optional; the
/// <c>Nullable…</c> getters are for required keys whose value may be nil; the
/// <c>Optional…</c> getters accept a missing key or nil alike.
/// </remarks>
internal sealed partial class FieldMap
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private readonly Dictionary<string, ReadOnlyMemory<byte>> _values;
    private readonly int _depth;

    private FieldMap(ReadOnlyMemory<byte> buffer, Dictionary<string, ReadOnlyMemory<byte>> values, int depth, string where)
    {
        _buffer = buffer;
        _values = values;
        _depth = depth;
        Where = where;
    }

    /// <summary>Names the map in error messages, e.g. <c>"call" message</c>.</summary>
    public string Where { get; set; }

    /// <summary>
    /// Reads a map from <paramref name="reader"/>, which reads
    /// <paramref name="buffer"/> from its start.
    /// </summary>
    public static FieldMap Read(ReadOnlyMemory<byte> buffer, ref MessagePackReader reader, int depth, string where)
    {
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw ProtocolException.Violation($"{where} is {MessagePackValues.Describe(reader.NextMessagePackType)}, not a map");
        }

        int count = MessagePackValues.ReadMapHeader(ref reader, depth);
        var values = new Dictionary<string, ReadOnlyMemory<byte>>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                throw ProtocolException.Violation(
                    $"{where} has a key that is {MessagePackValues.Describe(reader.NextMessagePackType)}, not str",
                    $"Every bridge message is a MessagePack map with string keys.");
            }

            string key = MessagePackValues.ReadString(ref reader);
            long start = reader.Consumed;
            MessagePackValues.Skip(ref reader, depth + 1);
            if (!values.TryAdd(key, buffer[(int)start..(int)reader.Consumed]))
            {
                throw ProtocolException.Violation($"duplicate key \"{key}\" in {where}");
            }
        }

        return new FieldMap(buffer, values, depth, where);
    }

    public string String(string key) => Required(key, MessagePackType.String, static (ref MessagePackReader r, FieldMap _) => MessagePackValues.ReadString(ref r));

    public string? NullableString(string key) => IsNil(key) ? null : String(key);

    public string? OptionalString(string key) =>
        IsNilOrMissing(key) ? null : String(key);

    public long Int64(string key) => Required(key, MessagePackType.Integer, static (ref MessagePackReader r, FieldMap _) => r.ReadInt64());

    public long? NullableInt64(string key) => IsNil(key) ? null : Int64(key);

    public long? OptionalInt64(string key) => IsNilOrMissing(key) ? null : Int64(key);

    public int Int32(string key)
    {
        long value = Int64(key);
        if (value is < int.MinValue or > int.MaxValue)
        {
            throw ProtocolException.Violation($"key \"{key}\" of {Where} is out of range for a 4-byte integer: {value}");
        }

        return (int)value;
    }

    public bool Boolean(string key) => Required(key, MessagePackType.Boolean, static (ref MessagePackReader r, FieldMap _) => r.ReadBoolean());

    /// <summary>A required key whose value may be nil, an int or a float; ints are widened.</summary>
    public double? NullableDouble(string key)
    {
        if (IsNil(key))
        {
            return null;
        }

        var reader = new MessagePackReader(Raw(key));
        if (reader.NextMessagePackType is not (MessagePackType.Float or MessagePackType.Integer))
        {
            throw WrongType(key, "float", reader.NextMessagePackType);
        }

        return reader.ReadDouble();
    }

    /// <summary>A required key whose value is any dynamic value, nil included.</summary>
    public object? Value(string key)
    {
        var reader = new MessagePackReader(Raw(key));
        return MessagePackValues.Read(ref reader, _depth + 1);
    }

    public object?[] Array(string key) =>
        Required(key, MessagePackType.Array, static (ref MessagePackReader r, FieldMap m) => (object?[])MessagePackValues.Read(ref r, m._depth + 1)!);

    public string[] StringArray(string key) =>
        Required(key, MessagePackType.Array, (ref MessagePackReader r, FieldMap m) =>
        {
            int count = MessagePackValues.ReadArrayHeader(ref r, m._depth + 1);
            var items = new string[count];
            for (int i = 0; i < count; i++)
            {
                if (r.NextMessagePackType != MessagePackType.String)
                {
                    throw m.WrongType(key, "an array of str", r.NextMessagePackType, i);
                }

                items[i] = MessagePackValues.ReadString(ref r);
            }

            return items;
        });

    public object?[][] ArrayOfArrays(string key) =>
        Required(key, MessagePackType.Array, (ref MessagePackReader r, FieldMap m) =>
        {
            int count = MessagePackValues.ReadArrayHeader(ref r, m._depth + 1);
            var items = new object?[count][];
            for (int i = 0; i < count; i++)
            {
                if (r.NextMessagePackType != MessagePackType.Array)
                {
                    throw m.WrongType(key, "an array of arrays", r.NextMessagePackType, i);
                }

                items[i] = (object?[])MessagePackValues.Read(ref r, m._depth + 2)!;
            }

            return items;
        });

    public Dictionary<string, string> StringMap(string key) =>
        Required(key, MessagePackType.Map, (ref MessagePackReader r, FieldMap m) =>
        {
            int count = MessagePackValues.ReadMapHeader(ref r, m._depth + 1);
            var map = new Dictionary<string, string>(count, StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                string name = MessagePackValues.ReadMapKey(ref r);
                if (r.NextMessagePackType != MessagePackType.String)
                {
                    throw ProtocolException.Violation(
                        $"entry \"{name}\" of key \"{key}\" of {m.Where} is {MessagePackValues.Describe(r.NextMessagePackType)}, not str");
                }

                if (!map.TryAdd(name, MessagePackValues.ReadString(ref r)))
                {
                    throw ProtocolException.Violation($"duplicate key \"{name}\" in key \"{key}\" of {m.Where}");
                }
            }

            return map;
        });

    public FieldMap Map(string key)
    {
        ReadOnlyMemory<byte> raw = Raw(key);
        var reader = new MessagePackReader(raw);
        return Read(raw, ref reader, _depth + 1, $"key \"{key}\" of {Where}");
    }

    public FieldMap[] MapArray(string key) =>
        Required(key, MessagePackType.Array, (ref MessagePackReader r, FieldMap m) =>
        {
            // The reader reads the key's raw value from its start, so the
            // maps' offsets are relative to that value.
            ReadOnlyMemory<byte> raw = m.Raw(key);
            int count = MessagePackValues.ReadArrayHeader(ref r, m._depth + 1);
            var items = new FieldMap[count];
            for (int i = 0; i < count; i++)
            {
                items[i] = Read(raw, ref r, m._depth + 2, $"element {i} of key \"{key}\" of {m.Where}");
            }

            return items;
        });

    /// <summary>A str naming one of <paramref name="choices"/>.</summary>
    public T Choice<T>(string key, IReadOnlyDictionary<string, T> choices)
    {
        string text = String(key);
        if (!choices.TryGetValue(text, out T? value))
        {
            throw ProtocolException.Violation(
                $"invalid value \"{text}\" for key \"{key}\" of {Where}",
                $"Expected one of: {string.Join(", ", choices.Keys)}.");
        }

        return value;
    }

    /// <summary>A five-character SQLSTATE of digits and upper-case letters.</summary>
    public string SqlState(string key)
    {
        string text = String(key);
        if (!SqlStatePattern().IsMatch(text))
        {
            throw ProtocolException.Violation($"invalid SQLSTATE \"{text}\" in key \"{key}\" of {Where}", $"A SQLSTATE is five digits or upper-case letters.");
        }

        return text;
    }

    /// <summary>A str in ISO 8601.</summary>
    public DateTimeOffset Timestamp(string key)
    {
        string text = String(key);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset value))
        {
            throw ProtocolException.Violation($"invalid ISO 8601 timestamp \"{text}\" in key \"{key}\" of {Where}");
        }

        return value;
    }

    private delegate T ValueReader<T>(ref MessagePackReader reader, FieldMap map);

    private bool IsNil(string key) => Raw(key).Span[0] == MessagePackCode.Nil;

    private bool IsNilOrMissing(string key) =>
        !_values.TryGetValue(key, out ReadOnlyMemory<byte> raw) || raw.Span[0] == MessagePackCode.Nil;

    private ReadOnlyMemory<byte> Raw(string key) =>
        _values.TryGetValue(key, out ReadOnlyMemory<byte> raw)
            ? raw
            : throw ProtocolException.Violation($"missing key \"{key}\" in {Where}");

    private T Required<T>(string key, MessagePackType type, ValueReader<T> read)
    {
        var reader = new MessagePackReader(Raw(key));
        if (reader.NextMessagePackType != type)
        {
            throw WrongType(key, MessagePackValues.Describe(type), reader.NextMessagePackType);
        }

        return read(ref reader, this);
    }

    private ProtocolException WrongType(string key, string expected, MessagePackType actual, int? element = null) =>
        element is int i
            ? ProtocolException.Violation($"element {i} of key \"{key}\" of {Where} is {MessagePackValues.Describe(actual)}; the key must hold {expected}")
            : ProtocolException.Violation($"key \"{key}\" of {Where} is {MessagePackValues.Describe(actual)}, not {expected}");

    [GeneratedRegex("^[0-9A-Z]{5}$", RegexOptions.CultureInvariant)]
    private static partial Regex SqlStatePattern();
}
