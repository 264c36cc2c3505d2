using static Kmer.Protocol.Tests.Bytes;

namespace Kmer.Protocol.Tests;

/// <summary>Framing: frames split across reads, clean end of stream, and every frame violation.</summary>
public sealed class FrameTests
{
    private static readonly byte[] StatusPayload = Concat([FixMap(1)], Str("type"), Str("status"));

    private static async Task<ProtocolException> AssertViolation(byte[] wire, string expectedText, bool decode)
    {
        var reader = new FrameReader(new MemoryStream(wire));
        ProtocolException ex = decode
            ? await Assert.ThrowsAsync<ProtocolException>(async () => await reader.ReadMessageAsync(CancellationToken.None))
            : await Assert.ThrowsAsync<ProtocolException>(async () => await reader.ReadFrameAsync(CancellationToken.None));
        Assert.Equal("08P01", ex.SqlState);
        Assert.Contains(expectedText, ex.Message, StringComparison.Ordinal);

        // The stream position is lost: the reader refuses to go on.
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await reader.ReadFrameAsync(CancellationToken.None));
        return ex;
    }

    [Fact]
    public async Task Frames_split_into_single_bytes_are_reassembled()
    {
        BridgeMessage[] messages =
        [
            new Hello(1, "pg_kmersearch 1.0", 123),
            new Result(1, new object?[] { "🧬 ACGT", -5_000_000_000L, 0.125, null, true }),
            new Cancel(1),
        ];
        using var buffer = new MemoryStream();
        var writer = new FrameWriter(buffer);
        foreach (BridgeMessage message in messages)
        {
            await writer.WriteMessageAsync(message, CancellationToken.None);
        }

        var stream = new OneByteStream(buffer.ToArray());
        var reader = new FrameReader(stream);
        Assert.Equal(messages[0], await reader.ReadMessageAsync(CancellationToken.None));
        var result = Assert.IsType<Result>(await reader.ReadMessageAsync(CancellationToken.None));
        ValueAssert.Equal(((Result)messages[1]).Value, result.Value);
        Assert.Equal(messages[2], await reader.ReadMessageAsync(CancellationToken.None));
        Assert.Null(await reader.ReadMessageAsync(CancellationToken.None));
        Assert.True(stream.Reads > buffer.Length);
    }

    [Fact]
    public async Task Raw_frames_split_into_single_bytes_are_reassembled()
    {
        var reader = new FrameReader(new OneByteStream(Concat(Frame(StatusPayload), Frame([Nil]))));
        Assert.Equal(StatusPayload, await reader.ReadFrameAsync(CancellationToken.None));
        Assert.Equal(new byte[] { Nil }, await reader.ReadFrameAsync(CancellationToken.None));
        Assert.Null(await reader.ReadFrameAsync(CancellationToken.None));
    }

    [Fact]
    public async Task End_of_stream_between_frames_is_a_clean_close()
    {
        Assert.Null(await new FrameReader(new MemoryStream()).ReadFrameAsync(CancellationToken.None));
        Assert.Null(await new FrameReader(new MemoryStream()).ReadMessageAsync(CancellationToken.None));

        var reader = new FrameReader(new MemoryStream(Frame(StatusPayload)));
        Assert.Equal(StatusPayload, await reader.ReadFrameAsync(CancellationToken.None));
        Assert.Null(await reader.ReadFrameAsync(CancellationToken.None));
        Assert.Null(await reader.ReadFrameAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Zero_length_is_a_violation(bool decode) =>
        await AssertViolation(Header(0), "invalid frame length 0", decode);

    [Theory]
    [InlineData(false, 64u * 1024 * 1024 + 1)]
    [InlineData(true, 64u * 1024 * 1024 + 1)]
    [InlineData(false, 0x8000_0000u)]
    [InlineData(true, 0xFFFF_FFFFu)]
    public async Task Length_over_64_MiB_is_a_violation(bool decode, uint length)
    {
        var ex = await AssertViolation(Header(length), $"frame length {length} exceeds the limit of 67108864 bytes", decode);
        Assert.Contains("1 to 67108864 bytes", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Length_of_exactly_64_MiB_is_accepted()
    {
        // bin32 header (5 bytes) plus data fills the frame exactly.
        byte[] payload = new byte[Protocol.Frame.MaxLength];
        payload[0] = 0xC6;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(1), Protocol.Frame.MaxLength - 5);

        using var buffer = new MemoryStream();
        await new FrameWriter(buffer).WriteFrameAsync(payload, CancellationToken.None);
        buffer.Position = 0;
        byte[]? read = await new FrameReader(buffer).ReadFrameAsync(CancellationToken.None);
        Assert.Equal(Protocol.Frame.MaxLength, read!.Length);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 3)]
    public async Task End_of_stream_inside_the_length_word_is_a_violation(bool decode, int headerBytes)
    {
        var ex = await AssertViolation(Frame(StatusPayload)[..headerBytes], "connection closed inside a frame", decode);
        Assert.Contains($"after {headerBytes} of the 4 bytes", ex.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task End_of_stream_inside_the_payload_is_a_violation(bool decode)
    {
        byte[] wire = Frame(StatusPayload)[..^2];
        var ex = await AssertViolation(wire, "connection closed inside a frame", decode);
        Assert.Contains($"after {StatusPayload.Length - 2} of the {StatusPayload.Length} bytes", ex.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Trailing_bytes_after_the_value_are_a_violation(bool decode)
    {
        var ex = await AssertViolation(Frame(Concat(StatusPayload, [Nil, Nil])), "trailing bytes in frame", decode);
        Assert.Contains("2 bytes after its MessagePack value", ex.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_value_cut_short_by_the_frame_length_is_a_violation(bool decode) =>
        await AssertViolation(Frame(StatusPayload[..^1]), "truncated MessagePack value", decode);

    [Fact]
    public async Task A_bad_message_in_a_good_frame_is_a_violation() =>
        await AssertViolation(Frame(Concat([FixMap(1)], Str("type"), Str("nope"))), "unknown bridge message type", decode: true);

    [Fact]
    public async Task Writer_refuses_an_oversized_or_empty_frame_without_writing()
    {
        using var buffer = new MemoryStream();
        var writer = new FrameWriter(buffer);

        var ex = await Assert.ThrowsAsync<ProtocolException>(async () =>
            await writer.WriteFrameAsync(new byte[Protocol.Frame.MaxLength + 1], CancellationToken.None));
        Assert.Equal(ProtocolException.ProgramLimitExceeded, ex.SqlState);

        ex = await Assert.ThrowsAsync<ProtocolException>(async () =>
            await writer.WriteMessageAsync(new Result(1, new string('x', Protocol.Frame.MaxLength)), CancellationToken.None));
        Assert.Equal("54000", ex.SqlState);
        Assert.Contains("\"result\" message is too large", ex.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.WriteFrameAsync(ReadOnlyMemory<byte>.Empty, CancellationToken.None));
        Assert.Equal(0, buffer.Length);

        // Nothing was written, so the writer is still usable.
        await writer.WriteMessageAsync(new Cancel(1), CancellationToken.None);
        Assert.Equal(21, buffer.Length);
    }

    [Fact]
    public async Task Raw_frames_and_messages_share_the_format()
    {
        using var buffer = new MemoryStream();
        var writer = new FrameWriter(buffer);
        await writer.WriteFrameAsync(MessageCodec.Encode(new Cancel(5)), CancellationToken.None);
        await writer.WriteMessageAsync(new Cancel(5), CancellationToken.None);

        byte[] wire = buffer.ToArray();
        Assert.Equal(wire[..(wire.Length / 2)], wire[(wire.Length / 2)..]);
    }
}
