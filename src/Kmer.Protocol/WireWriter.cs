using MessagePack;

namespace Kmer.Protocol;

/// <summary>Writes the key/value pairs of message maps.</summary>
/// <remarks>
/// Absent optional values are written as nil rather than left out, so a
/// message type always has the same number of keys.
/// </remarks>
internal static class WireWriter
{
    public static void String(ref MessagePackWriter writer, string key, string value, string messageType)
    {
        if (value is null)
        {
            throw new ArgumentException($"The \"{key}\" field of a \"{messageType}\" message is required.", key);
        }

        writer.Write(key);
        writer.Write(value);
    }

    public static void NullableString(ref MessagePackWriter writer, string key, string? value)
    {
        writer.Write(key);
        writer.Write(value);
    }

    public static void Int64(ref MessagePackWriter writer, string key, long value)
    {
        writer.Write(key);
        writer.Write(value);
    }

    public static void NullableInt64(ref MessagePackWriter writer, string key, long? value)
    {
        writer.Write(key);
        if (value is long v)
        {
            writer.Write(v);
        }
        else
        {
            writer.WriteNil();
        }
    }

    public static void NullableDouble(ref MessagePackWriter writer, string key, double? value)
    {
        writer.Write(key);
        if (value is double v)
        {
            writer.Write(v);
        }
        else
        {
            writer.WriteNil();
        }
    }

    public static void Boolean(ref MessagePackWriter writer, string key, bool value)
    {
        writer.Write(key);
        writer.Write(value);
    }

    public static void Value(ref MessagePackWriter writer, string key, object? value)
    {
        writer.Write(key);
        MessagePackValues.Write(ref writer, value, depth: 2);
    }

    public static void Values(ref MessagePackWriter writer, string key, IReadOnlyList<object?> values, string messageType)
    {
        Required(values, key, messageType);
        writer.Write(key);
        writer.WriteArrayHeader(values.Count);
        foreach (object? value in values)
        {
            MessagePackValues.Write(ref writer, value, depth: 3);
        }
    }

    public static void Strings(ref MessagePackWriter writer, string key, IReadOnlyList<string> values, string messageType)
    {
        Required(values, key, messageType);
        writer.Write(key);
        writer.WriteArrayHeader(values.Count);
        foreach (string value in values)
        {
            if (value is null)
            {
                throw new ArgumentException($"The \"{key}\" field of a \"{messageType}\" message holds a null string.", key);
            }

            writer.Write(value);
        }
    }

    public static void Timestamp(ref MessagePackWriter writer, string key, DateTimeOffset value)
    {
        writer.Write(key);
        writer.Write(value.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
    }

    public static void Required(object? value, string key, string messageType)
    {
        if (value is null)
        {
            throw new ArgumentException($"The \"{key}\" field of a \"{messageType}\" message is required.", key);
        }
    }
}
