using System.Buffers.Binary;
using System.Text;

namespace Kmer.Protocol.Tests;

/// <summary>Builds MessagePack bytes by hand, straight from the spec, independently of the code under test.</summary>
internal static class Bytes
{
    /// <summary>fixstr: 0b101xxxxx with the length, then the UTF-8 bytes (at most 31).</summary>
    public static byte[] Str(string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        Assert.True(utf8.Length < 32);
        return [(byte)(0xA0 | utf8.Length), .. utf8];
    }

    /// <summary>fixmap: 0b1000xxxx with the entry count (at most 15).</summary>
    public static byte FixMap(int count) => (byte)(0x80 | count);

    /// <summary>fixarray: 0b1001xxxx with the element count (at most 15).</summary>
    public static byte FixArray(int count) => (byte)(0x90 | count);

    public const byte Nil = 0xC0;

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A frame: big-endian length word, then the payload.</summary>
    public static byte[] Frame(byte[] payload)
    {
        byte[] frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }

    public static byte[] Header(uint length)
    {
        byte[] header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, length);
        return header;
    }
}
