using static Kmer.Protocol.Tests.Bytes;

namespace Kmer.Protocol.Tests;

/// <summary>
/// The exact bytes on the wire, built by hand from the MessagePack spec, so the
/// map-with-string-keys layout the C side reads is pinned.
/// </summary>
public sealed class WireFormatTests
{
    [Fact]
    public async Task Cancel_frame_is_a_length_word_and_a_fixmap_with_fixstr_keys()
    {
        byte[] expected =
        [
            0x00, 0x00, 0x00, 0x11,                          // frame length 17, big-endian
            0x82,                                            // fixmap, 2 entries
            0xA4, (byte)'t', (byte)'y', (byte)'p', (byte)'e', // fixstr "type"
            0xA6, (byte)'c', (byte)'a', (byte)'n', (byte)'c', (byte)'e', (byte)'l', // fixstr "cancel"
            0xA2, (byte)'i', (byte)'d',                      // fixstr "id"
            0x01,                                            // positive fixint 1
        ];

        using var stream = new MemoryStream();
        await new FrameWriter(stream).WriteMessageAsync(new Cancel(1), CancellationToken.None);
        Assert.Equal(expected, stream.ToArray());

        Assert.Equal(new Cancel(1), MessageCodec.Decode(expected.AsMemory(4)));
    }

    [Fact]
    public void CancelJob_is_a_fixmap_with_type_and_job()
    {
        byte[] expected = Concat(
            [FixMap(2)],
            Str("type"), Str("cancel_job"),
            Str("job"), [0xCD, 0x01, 0x2C]);                 // uint16 300

        Assert.Equal(expected, MessageCodec.Encode(new CancelJob(300)));
        Assert.Equal(new CancelJob(300), MessageCodec.Decode(expected));
    }

    [Fact]
    public void CancelJobResult_is_a_fixmap_with_type_job_and_cancelled()
    {
        byte[] expected = Concat(
            [FixMap(3)],
            Str("type"), Str("cancel_job_result"),
            Str("job"), [0x07],                              // positive fixint 7
            Str("cancelled"), [0xC3]);                       // true

        Assert.Equal(expected, MessageCodec.Encode(new CancelJobResult(7, true)));
        Assert.Equal(new CancelJobResult(7, true), MessageCodec.Decode(expected));

        byte[] notFound = Concat(
            [FixMap(3)],
            Str("type"), Str("cancel_job_result"),
            Str("job"), [0x07],
            Str("cancelled"), [0xC2]);                       // false
        Assert.Equal(notFound, MessageCodec.Encode(new CancelJobResult(7, false)));
    }

    [Fact]
    public void Hello_uses_the_smallest_integer_formats()
    {
        byte[] expected =
        [
            0x84,
            0xA4, 0x74, 0x79, 0x70, 0x65,                         // "type"
            0xA5, 0x68, 0x65, 0x6C, 0x6C, 0x6F,                   // "hello"
            0xA8, 0x70, 0x72, 0x6F, 0x74, 0x6F, 0x63, 0x6F, 0x6C, // "protocol"
            0x01,                                                 // 1
            0xA6, 0x63, 0x6C, 0x69, 0x65, 0x6E, 0x74,             // "client"
            0xA2, 0x70, 0x67,                                     // "pg"
            0xA3, 0x70, 0x69, 0x64,                               // "pid"
            0xCE, 0x00, 0x01, 0x11, 0x70,                         // uint32 70000
        ];

        Assert.Equal(expected, MessageCodec.Encode(new Hello(1, "pg", 70_000)));
    }

    [Fact]
    public void Result_value_holds_negative_ints_float64_and_utf8_str()
    {
        byte[] expected = Concat(
            [FixMap(3)],
            Str("type"), Str("result"),
            Str("id"), [0x02],
            Str("value"), [FixArray(5)],
            [0xFF],                                           // negative fixint -1
            [0xD0, 0xDF],                                     // int8 -33
            [0xD2, 0x80, 0x00, 0x00, 0x00],                   // int32 int.MinValue
            [0xCB, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0],             // float64 1.5
            [0xA2, 0xC3, 0xA9]);                              // fixstr "é" (UTF-8 C3 A9)

        var result = new Result(2, new object?[] { -1L, -33L, (long)int.MinValue, 1.5, "é" });
        Assert.Equal(expected, MessageCodec.Encode(result));
    }

    [Fact]
    public void Absent_optional_values_are_written_as_nil()
    {
        byte[] expected = Concat(
            [FixMap(6)],
            Str("type"), Str("error"),
            Str("id"), [Nil],
            Str("sqlstate"), Str("08P01"),
            Str("message"), Str("bad"),
            Str("detail"), [Nil],
            Str("hint"), [Nil]);

        Assert.Equal(expected, MessageCodec.Encode(new Error(null, "08P01", "bad")));
    }

    [Fact]
    public void Keys_may_come_in_any_order_and_unknown_keys_are_ignored()
    {
        byte[] payload = Concat(
            [FixMap(5)],
            Str("later_field"), [FixMap(1)], Str("deep"), [FixArray(3), 0x01, Nil, 0xC3],
            Str("id"), [0xCD, 0x01, 0x00],                   // uint16 256
            Str("zzz"), [Nil],
            Str("type"), Str("cancel"),
            Str("blob"), [0xC4, 0x02, 0xAB, 0xCD]);          // bin8

        Assert.Equal(new Cancel(256), MessageCodec.Decode(payload));
    }

    [Fact]
    public void Unknown_keys_in_nested_maps_are_ignored()
    {
        byte[] context = Concat(
            [FixMap(7)],
            Str("database"), Str("db"),
            Str("user"), Str("u"),
            Str("search_path"), Str("public"),
            Str("backend_pid"), [0x2A],
            Str("snapshot"), [Nil],
            Str("future"), [0xC3],
            Str("settings"), [FixMap(1)], Str("kmersearch.kmer_size"), Str("16"));
        byte[] payload = Concat(
            [FixMap(5)],
            Str("type"), Str("call"),
            Str("id"), [0x01],
            Str("handler"), Str("h"),
            Str("args"), [FixArray(2), 0xCA, 0x3F, 0xC0, 0x00, 0x00, 0xCF, 0, 0, 0, 0, 0, 0, 0, 5], // float32 1.5, uint64 5
            Str("context"), context);

        var call = Assert.IsType<Call>(MessageCodec.Decode(payload));
        ValueAssert.Equal(new object?[] { 1.5, 5L }, call.Args.ToArray());
        Assert.Equal(42, call.Context.BackendPid);
        Assert.Null(call.Context.Snapshot);
        Assert.Equal("16", call.Context.Settings["kmersearch.kmer_size"]);
    }

    [Fact]
    public void Optional_detail_and_hint_may_be_missing()
    {
        byte[] payload = Concat(
            [FixMap(4)],
            Str("type"), Str("notice"),
            Str("id"), [0x03],
            Str("level"), Str("INFO"),
            Str("message"), Str("50%"));

        Assert.Equal(new Notice(3, NoticeLevel.Info, "50%"), MessageCodec.Decode(payload));
    }
}
