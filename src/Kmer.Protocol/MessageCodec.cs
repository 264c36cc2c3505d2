using System.Buffers;
using MessagePack;

namespace Kmer.Protocol;

/// <summary>
/// Converts bridge messages to and from the bytes of one frame: a MessagePack
/// map with string keys whose <c>type</c> key says which message it is.
/// </summary>
/// <remarks>
/// Decoding follows docs/protocol.md strictly: keys may come in any order and
/// unknown keys are ignored, but a missing required key, a value of the wrong
/// MessagePack type, a duplicate key, an unknown <c>type</c>, invalid UTF-8 or
/// bytes after the map are protocol violations (<see cref="ProtocolException"/>
/// with SQLSTATE 08P01). Encoding writes <c>type</c> first, then the fields in
/// the order the doc lists them, absent optional values as nil.
/// </remarks>
public static class MessageCodec
{
    private static readonly Dictionary<string, Func<FieldMap, BridgeMessage>> Readers = new(StringComparer.Ordinal)
    {
        [Hello.TypeName] = Hello.Read,
        [Welcome.TypeName] = Welcome.Read,
        [Call.TypeName] = Call.Read,
        [Notice.TypeName] = Notice.Read,
        [SpiRequest.TypeName] = SpiRequest.Read,
        [SpiResult.TypeName] = SpiResult.Read,
        [SpiError.TypeName] = SpiError.Read,
        [Result.TypeName] = Result.Read,
        [Error.TypeName] = Error.Read,
        [Cancel.TypeName] = Cancel.Read,
        [StatusRequest.TypeName] = StatusRequest.Read,
        [StatusResult.TypeName] = StatusResult.Read,
        [CancelJob.TypeName] = CancelJob.Read,
        [CancelJobResult.TypeName] = CancelJobResult.Read,
    };

    /// <summary>Encodes a message into a new array (the payload of one frame, without the length word).</summary>
    /// <exception cref="ArgumentException">A required field is null, or a value is of a type that cannot cross the bridge.</exception>
    public static byte[] Encode(BridgeMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Appends the encoded message to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">A required field is null, or a value is of a type that cannot cross the bridge.</exception>
    public static void Encode(BridgeMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        var writer = new MessagePackWriter(output);
        message.WriteTo(ref writer);
        writer.Flush();
    }

    /// <summary>Decodes the payload of one frame.</summary>
    /// <exception cref="ProtocolException">SQLSTATE 08P01: the payload is not exactly one valid message.</exception>
    public static BridgeMessage Decode(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            throw ProtocolException.Violation($"empty bridge message");
        }

        var reader = new MessagePackReader(payload);
        try
        {
            FieldMap fields = FieldMap.Read(payload, ref reader, depth: 1, "bridge message");
            MessagePackValues.CheckEnd(ref reader);

            string type = fields.String("type");
            if (!Readers.TryGetValue(type, out Func<FieldMap, BridgeMessage>? read))
            {
                throw ProtocolException.Violation(
                    $"unknown bridge message type \"{type}\"",
                    $"Protocol version {ProtocolVersion.Current} knows the types {string.Join(", ", Readers.Keys)}.");
            }

            fields.Where = $"\"{type}\" message";
            return read(fields);
        }
        catch (Exception ex) when (MessagePackValues.Translate(ex) is { } violation)
        {
            throw violation;
        }
    }
}
