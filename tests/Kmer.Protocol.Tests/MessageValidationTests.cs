using static Kmer.Protocol.Tests.Bytes;

namespace Kmer.Protocol.Tests;

/// <summary>Malformed messages are protocol violations (08P01) with a message that names the problem.</summary>
public sealed class MessageValidationTests
{
    private static ProtocolException Violation(byte[] payload, string expectedText)
    {
        var ex = Assert.Throws<ProtocolException>(() => MessageCodec.Decode(payload));
        Assert.Equal("08P01", ex.SqlState);
        Assert.Equal(ProtocolException.ProtocolViolation, ex.SqlState);
        Assert.Contains(expectedText, ex.Message, StringComparison.Ordinal);
        return ex;
    }

    private static byte[] Map(params byte[][] entries) => Concat([[FixMap(entries.Length / 2)], .. entries]);

    [Fact]
    public void Unknown_type_is_a_violation()
    {
        var ex = Violation(Map(Str("type"), Str("launch_missiles"), Str("id"), [0x01]), "unknown bridge message type \"launch_missiles\"");
        Assert.Contains("cancel", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_type_is_a_violation() =>
        Violation(Map(Str("id"), [0x01]), "missing key \"type\"");

    [Fact]
    public void Type_that_is_not_a_str_is_a_violation() =>
        Violation(Map(Str("type"), [0x01]), "key \"type\" of bridge message is int, not str");

    [Fact]
    public void Missing_required_key_is_a_violation() =>
        Violation(Map(Str("type"), Str("cancel")), "missing key \"id\" in \"cancel\" message");

    [Fact]
    public void Missing_required_key_in_the_call_context_is_a_violation()
    {
        byte[] context = Map(Str("database"), Str("db"));
        Violation(
            Map(Str("type"), Str("call"), Str("id"), [0x01], Str("handler"), Str("h"), Str("args"), [FixArray(0)], Str("context"), context),
            "missing key \"user\" in key \"context\" of \"call\" message");
    }

    private static byte[] CallWithContext(params byte[][] extra) =>
        Map(Str("type"), Str("call"), Str("id"), [0x01], Str("handler"), Str("h"), Str("args"), [FixArray(0)], Str("context"),
            Map([Str("database"), Str("db"), Str("user"), Str("u"), Str("search_path"), Str("public"), Str("backend_pid"), [0x2A],
                 Str("snapshot"), [Nil], Str("settings"), [FixMap(0)], .. extra]));

    [Fact]
    public void Call_context_database_oid_may_be_missing_or_nil()
    {
        Assert.Null(Assert.IsType<Call>(MessageCodec.Decode(CallWithContext())).Context.DatabaseOid);
        Assert.Null(Assert.IsType<Call>(MessageCodec.Decode(CallWithContext(Str("database_oid"), [Nil]))).Context.DatabaseOid);
        Assert.Equal(16384L, Assert.IsType<Call>(MessageCodec.Decode(CallWithContext(Str("database_oid"), [0xCD, 0x40, 0x00]))).Context.DatabaseOid);
        Assert.Equal(4294967295L, Assert.IsType<Call>(MessageCodec.Decode(CallWithContext(Str("database_oid"), [0xCE, 0xFF, 0xFF, 0xFF, 0xFF]))).Context.DatabaseOid);
    }

    [Fact]
    public void Call_context_database_oid_must_be_an_int_in_oid_range()
    {
        Violation(CallWithContext(Str("database_oid"), Str("16384")), "key \"database_oid\" of key \"context\" of \"call\" message is str, not int");
        Violation(CallWithContext(Str("database_oid"), [0xFF]), "key \"database_oid\" of key \"context\" of \"call\" message is out of range for an OID: -1");
        Violation(CallWithContext(Str("database_oid"), [0xCF, 0, 0, 0, 1, 0, 0, 0, 0]), "out of range for an OID: 4294967296");
    }

    [Fact]
    public void Keys_listed_without_optional_must_be_present_even_when_they_may_be_nil()
    {
        // error.id is nil before a call, but the key is still there.
        Violation(Map(Str("type"), Str("error"), Str("sqlstate"), Str("08P01"), Str("message"), Str("m")), "missing key \"id\" in \"error\" message");
        var error = Assert.IsType<Error>(MessageCodec.Decode(
            Map(Str("type"), Str("error"), Str("id"), [Nil], Str("sqlstate"), Str("08P01"), Str("message"), Str("m"))));
        Assert.Null(error.Id);
    }

    [Fact]
    public void Nil_for_a_required_value_is_a_violation() =>
        Violation(Map(Str("type"), Str("cancel"), Str("id"), [Nil]), "key \"id\" of \"cancel\" message is nil, not int");

    [Fact]
    public void Wrong_value_type_is_a_violation() =>
        Violation(Map(Str("type"), Str("cancel"), Str("id"), Str("1")), "key \"id\" of \"cancel\" message is str, not int");

    [Fact]
    public void Integer_too_large_for_an_id_is_a_violation() =>
        Violation(Map(Str("type"), Str("cancel"), Str("id"), [0xCF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), "malformed MessagePack value");

    [Fact]
    public void CancelJob_needs_an_int_job()
    {
        Violation(Map(Str("type"), Str("cancel_job")), "missing key \"job\" in \"cancel_job\" message");
        Violation(Map(Str("type"), Str("cancel_job"), Str("job"), [Nil]), "key \"job\" of \"cancel_job\" message is nil, not int");
        Violation(Map(Str("type"), Str("cancel_job"), Str("job"), Str("1")), "key \"job\" of \"cancel_job\" message is str, not int");
    }

    [Fact]
    public void CancelJobResult_needs_a_job_and_a_bool_cancelled()
    {
        Violation(Map(Str("type"), Str("cancel_job_result"), Str("job"), [0x01]), "missing key \"cancelled\" in \"cancel_job_result\" message");
        Violation(Map(Str("type"), Str("cancel_job_result"), Str("cancelled"), [0xC3]), "missing key \"job\" in \"cancel_job_result\" message");
        Violation(
            Map(Str("type"), Str("cancel_job_result"), Str("job"), [0x01], Str("cancelled"), [0x01]),
            "key \"cancelled\" of \"cancel_job_result\" message is int, not bool");
        Violation(
            Map(Str("type"), Str("cancel_job_result"), Str("job"), [0x01], Str("cancelled"), [Nil]),
            "key \"cancelled\" of \"cancel_job_result\" message is nil, not bool");
    }

    [Fact]
    public void Pid_out_of_int32_range_is_a_violation() =>
        Violation(
            Map(Str("type"), Str("hello"), Str("protocol"), [0x01], Str("client"), Str("c"), Str("pid"), [0xCE, 0xFF, 0xFF, 0xFF, 0xFF]),
            "out of range for a 4-byte integer");

    [Fact]
    public void A_message_that_is_not_a_map_is_a_violation() =>
        Violation([FixArray(1), 0x01], "bridge message is array, not a map");

    [Fact]
    public void A_key_that_is_not_a_str_is_a_violation() =>
        Violation(Concat([FixMap(2), 0x01, 0x02], Str("type"), Str("status")), "has a key that is int, not str");

    [Fact]
    public void A_duplicate_key_is_a_violation() =>
        Violation(Map(Str("type"), Str("cancel"), Str("id"), [0x01], Str("id"), [0x02]), "duplicate key \"id\"");

    [Fact]
    public void Bytes_after_the_map_are_a_violation() =>
        Violation(Concat(Map(Str("type"), Str("status")), [Nil]), "trailing bytes in frame");

    [Fact]
    public void A_truncated_map_is_a_violation() =>
        Violation(Concat([FixMap(2)], Str("type"), Str("status")), "truncated MessagePack value");

    [Fact]
    public void An_array_header_larger_than_the_frame_is_a_violation() =>
        Violation(
            Map(Str("type"), Str("result"), Str("id"), [0x01], Str("value"), [0xDD, 0x7F, 0xFF, 0xFF, 0xFF]),
            "truncated MessagePack value");

    [Fact]
    public void Invalid_utf8_is_a_violation() =>
        Violation(Map(Str("type"), Str("result"), Str("id"), [0x01], Str("value"), [0xA2, 0xC3, 0x28]), "invalid UTF-8");

    [Fact]
    public void Extension_values_are_a_violation() =>
        Violation(
            Map(Str("type"), Str("result"), Str("id"), [0x01], Str("value"), [0xD6, 0xFF, 0, 0, 0, 0]),
            "unexpected MessagePack extension value");

    [Fact]
    public void The_never_used_code_is_a_violation() =>
        Violation(Map(Str("type"), Str("status"), Str("x"), [0xC1]), "invalid MessagePack code 0xc1");

    [Fact]
    public void Deep_nesting_is_a_violation_not_a_stack_overflow()
    {
        byte[] bomb = Concat(Enumerable.Repeat(new byte[] { FixArray(1) }, 100_000).Append([Nil]).ToArray());
        Violation(Map(Str("type"), Str("status"), Str("x"), bomb), "nests too deeply");
        Violation(Map(Str("type"), Str("result"), Str("id"), [0x01], Str("value"), bomb), "nests too deeply");
    }

    [Fact]
    public void Unknown_enum_texts_and_bad_sqlstates_are_violations()
    {
        Violation(Map(Str("type"), Str("notice"), Str("id"), [0x01], Str("level"), Str("LOG"), Str("message"), Str("m")), "invalid value \"LOG\" for key \"level\"");
        Violation(Map(Str("type"), Str("welcome"), Str("protocol"), [0x01], Str("server"), Str("s"), Str("pid"), [0x01], Str("peer"), Str("root")), "invalid value \"root\" for key \"peer\"");
        Violation(Map(Str("type"), Str("error"), Str("id"), [Nil], Str("sqlstate"), Str("5701"), Str("message"), Str("m")), "invalid SQLSTATE \"5701\"");
    }

    [Fact]
    public void Spi_params_and_param_types_must_match() =>
        Violation(
            Map(Str("type"), Str("spi"), Str("id"), [0x01], Str("seq"), [0x01], Str("sql"), Str("SELECT $1"),
                Str("params"), [FixArray(1), 0x01], Str("param_types"), [FixArray(0)], Str("read_only"), [0xC3]),
            "has 1 params but 0 param_types");

    [Fact]
    public void Spi_rows_must_match_the_columns() =>
        Violation(
            Map(Str("type"), Str("spi_result"), Str("id"), [0x01], Str("seq"), [0x01], Str("rows_affected"), [0x01],
                Str("columns"), Concat([FixArray(1)], Str("a")), Str("rows"), [FixArray(1), FixArray(2), 0x01, 0x02]),
            "row 0 of \"spi_result\" message has 2 values but there are 1 columns");

    [Fact]
    public void Empty_payload_is_a_violation() =>
        Violation([], "empty bridge message");
}
