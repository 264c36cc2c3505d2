namespace Kmer.Protocol.Tests;

/// <summary>Every message type survives encode → decode with every field intact.</summary>
public sealed class MessageRoundTripTests
{
    /// <summary>A value tree with every kind of MessagePack native the protocol carries.</summary>
    private static object?[] Natives() =>
    [
        null,
        true,
        false,
        0L,
        1L,
        -1L,
        -32L,
        -33L,
        127L,
        128L,
        255L,
        256L,
        65_536L,
        -129L,
        -40_000L,
        (long)int.MaxValue + 1,
        (long)int.MinValue - 1,
        long.MaxValue,
        long.MinValue,
        ulong.MaxValue,
        0.0,
        1.5,
        -2.25,
        3.0,
        1e300,
        double.NegativeInfinity,
        "",
        "ACGT",
        "héllo wörld ✓ 塩基 🧬",
        new string('x', 300),
        new object?[] { 1L, "two", null, new object?[] { 3.5, false } },
        new Dictionary<string, object?>
        {
            ["k"] = 21L,
            ["name"] = "ñ",
            ["nothing"] = null,
            ["nested"] = new Dictionary<string, object?> { ["list"] = new object?[] { -7L, 2.5 } },
        },
        new object?[] { },
        new Dictionary<string, object?>(),
    ];

    private static T RoundTrip<T>(T message)
        where T : BridgeMessage
    {
        byte[] bytes = MessageCodec.Encode(message);
        var decoded = Assert.IsType<T>(MessageCodec.Decode(bytes));

        // Re-encoding gives the same bytes: nothing was lost or reordered.
        Assert.Equal(bytes, MessageCodec.Encode(decoded));
        return decoded;
    }

    [Fact]
    public void Hello_round_trips()
    {
        var hello = new Hello(ProtocolVersion.Current, "pg_kmersearch 1.0.2026.11.24", 4242);
        Assert.Equal(hello, RoundTrip(hello));
        Assert.Equal("hello", hello.Type);
    }

    [Theory]
    [InlineData(PeerKind.Server)]
    [InlineData(PeerKind.Admin)]
    public void Welcome_round_trips(PeerKind peer)
    {
        var welcome = new Welcome(1, "Kmer.Worker 1.0.0", 99, peer);
        Assert.Equal(welcome, RoundTrip(welcome));
    }

    [Fact]
    public void Call_round_trips_with_nested_args_and_context()
    {
        var settings = new Dictionary<string, string>
        {
            ["kmersearch.kmer_size"] = "16",
            ["kmersearch.occur_bitlen"] = "8",
            ["work_mem"] = "4MB",
            ["application_name"] = "psql — тест",
        };
        var call = new Call(
            long.MaxValue,
            "analysis.analyze_table",
            Natives(),
            new CallContext("genomes", "alice", "\"$user\", public", 31337, "00000003-0000001B-1", settings) { DatabaseOid = 16384 });

        Call decoded = RoundTrip(call);
        Assert.Equal(call.Id, decoded.Id);
        Assert.Equal(call.Handler, decoded.Handler);
        ValueAssert.Equal(call.Args.ToArray(), decoded.Args.ToArray(), "args");
        Assert.Equal(call.Context.Database, decoded.Context.Database);
        Assert.Equal(call.Context.User, decoded.Context.User);
        Assert.Equal(call.Context.SearchPath, decoded.Context.SearchPath);
        Assert.Equal(call.Context.BackendPid, decoded.Context.BackendPid);
        Assert.Equal(call.Context.Snapshot, decoded.Context.Snapshot);
        Assert.Equal(16384L, decoded.Context.DatabaseOid);
        Assert.Equal(settings.OrderBy(s => s.Key), decoded.Context.Settings.OrderBy(s => s.Key));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    [InlineData(4294967295L)]
    public void Call_context_database_oid_round_trips(long? oid)
    {
        var call = new Call(1, "h", [], new CallContext("db", "u", "public", 1, null, new Dictionary<string, string>()) { DatabaseOid = oid });
        Assert.Equal(oid, RoundTrip(call).Context.DatabaseOid);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(4294967296L)]
    public void Call_context_database_oid_must_be_an_oid(long oid) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CallContext("db", "u", "public", 1, null, new Dictionary<string, string>()) { DatabaseOid = oid });

    [Fact]
    public void Call_without_a_snapshot_round_trips()
    {
        var call = new Call(1, "h", [], new CallContext("db", "u", "public", 1, null, new Dictionary<string, string>()));
        Call decoded = RoundTrip(call);
        Assert.Null(decoded.Context.Snapshot);
        Assert.Null(decoded.Context.DatabaseOid);
        Assert.Empty(decoded.Args);
        Assert.Empty(decoded.Context.Settings);
    }

    [Theory]
    [InlineData(NoticeLevel.Debug, null, null)]
    [InlineData(NoticeLevel.Info, "detail", null)]
    [InlineData(NoticeLevel.Notice, null, "hint")]
    [InlineData(NoticeLevel.Warning, "détail", "ヒント")]
    public void Notice_round_trips(NoticeLevel level, string? detail, string? hint)
    {
        var notice = new Notice(7, level, "analysed 50% of the rows", detail, hint);
        Assert.Equal(notice, RoundTrip(notice));
    }

    [Fact]
    public void SpiRequest_round_trips()
    {
        var spi = new SpiRequest(
            3,
            12,
            "INSERT INTO kmersearch_meta(tbl, k, counts, note) VALUES ($1, $2, $3, $4)",
            [12345L, 16L, new object?[] { 1L, -2L, 5_000_000_000L }, "ünïcode"],
            ["regclass", "int4", "int8[]", "text"],
            ReadOnly: false);

        SpiRequest decoded = RoundTrip(spi);
        Assert.Equal((spi.Id, spi.Seq, spi.Sql, spi.ReadOnly), (decoded.Id, decoded.Seq, decoded.Sql, decoded.ReadOnly));
        ValueAssert.Equal(spi.Params.ToArray(), decoded.Params.ToArray(), "params");
        Assert.Equal(spi.ParamTypes, decoded.ParamTypes);
    }

    [Fact]
    public void SpiResult_round_trips_with_rows_of_every_native()
    {
        object?[] natives = Natives();
        string[] columns = natives.Select((_, i) => $"c{i}").ToArray();
        IReadOnlyList<object?>[] rows = [natives, natives.Select(_ => (object?)null).ToArray()];
        var result = new SpiResult(3, 12, 2, columns, rows);

        SpiResult decoded = RoundTrip(result);
        Assert.Equal((3L, 12L, 2L), (decoded.Id, decoded.Seq, decoded.RowsAffected));
        Assert.Equal(columns, decoded.Columns);
        ValueAssert.Rows(rows, decoded.Rows);
    }

    [Fact]
    public void SpiResult_with_no_columns_round_trips()
    {
        var result = new SpiResult(1, 1, 40, [], []);
        SpiResult decoded = RoundTrip(result);
        Assert.Equal(40, decoded.RowsAffected);
        Assert.Empty(decoded.Columns);
        Assert.Empty(decoded.Rows);
    }

    [Fact]
    public void SpiError_round_trips()
    {
        var error = new SpiError(3, 12, "23505", "duplicate key value violates unique constraint \"m_pkey\"", "Key (k)=(16) already exists.", null);
        Assert.Equal(error, RoundTrip(error));
    }

    [Fact]
    public void Result_round_trips_scalars_rows_and_sets()
    {
        foreach (object? value in Natives())
        {
            var result = new Result(5, value);
            ValueAssert.Equal(value, RoundTrip(result).Value);
        }

        var set = new object?[]
        {
            new Dictionary<string, object?> { ["partition"] = "seq_p0", ["rows"] = 1_000_000L, ["ok"] = true },
            new Dictionary<string, object?> { ["partition"] = "seq_p1", ["rows"] = 0L, ["ok"] = false },
        };
        ValueAssert.Equal(set, RoundTrip(new Result(6, set)).Value);
    }

    [Fact]
    public void Error_round_trips_with_and_without_a_call_id()
    {
        var inCall = new Error(9, "57014", "canceling statement due to user request", "detail", "hint");
        Assert.Equal(inCall, RoundTrip(inCall));

        var beforeCall = new Error(null, "08P01", "protocol version mismatch");
        Assert.Equal(beforeCall, RoundTrip(beforeCall));
    }

    [Fact]
    public void Cancel_round_trips()
    {
        var cancel = new Cancel(long.MaxValue);
        Assert.Equal(cancel, RoundTrip(cancel));
    }

    [Fact]
    public void CancelJob_round_trips()
    {
        var cancelJob = new CancelJob(long.MaxValue);
        Assert.Equal(cancelJob, RoundTrip(cancelJob));
        Assert.Equal("cancel_job", cancelJob.Type);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CancelJobResult_round_trips(bool cancelled)
    {
        var result = new CancelJobResult(42, cancelled);
        Assert.Equal(result, RoundTrip(result));
        Assert.Equal("cancel_job_result", result.Type);
    }

    [Fact]
    public void StatusRequest_round_trips()
    {
        Assert.Equal(new StatusRequest(), RoundTrip(new StatusRequest()));
    }

    [Fact]
    public void StatusResult_round_trips()
    {
        var started = new DateTimeOffset(2026, 11, 24, 9, 30, 15, 123, TimeSpan.Zero);
        var status = new StatusResult(
            "Kmer.Worker 1.0.0",
            777,
            started,
            [
                new JobInfo(1, "index.build_partitioned", 4242, 0.25, started.AddMinutes(1)),
                new JobInfo(2, "analysis.analyze_table", 4343, null, new DateTimeOffset(2026, 11, 24, 18, 0, 0, TimeSpan.FromHours(9))),
            ])
        {
            Connections = 3,
            MemoryBytes = 123_456_789,
        };

        StatusResult decoded = RoundTrip(status);
        Assert.Equal((status.Version, status.Pid, status.StartedAt), (decoded.Version, decoded.Pid, decoded.StartedAt));
        Assert.Equal((3L, 123_456_789L), (decoded.Connections, decoded.MemoryBytes));
        Assert.Equal(status.Jobs, decoded.Jobs);
        Assert.Equal(TimeSpan.FromHours(9), decoded.Jobs[1].StartedAt.Offset);
    }

    [Fact]
    public void Clr_integers_and_floats_are_sent_as_msgpack_integers_and_floats()
    {
        object?[] sent = [(byte)200, (sbyte)-5, (short)-300, (ushort)60_000, 7, 4_000_000_000u, 2.5f, new[] { 1, 2 }, new List<string> { "a" }, new Dictionary<string, int> { ["x"] = 1 }, new byte[] { 0, 0xFF }];
        var decoded = (object?[])RoundTrip(new Result(1, sent)).Value!;

        ValueAssert.Equal(
            new object?[] { 200L, -5L, -300L, 60_000L, 7L, 4_000_000_000L, 2.5, new object?[] { 1L, 2L }, new object?[] { "a" }, new Dictionary<string, object?> { ["x"] = 1L }, new byte[] { 0, 0xFF } },
            decoded);
    }

    [Fact]
    public void A_value_that_is_not_a_msgpack_native_is_refused_when_encoding()
    {
        Assert.Throws<ArgumentException>(() => MessageCodec.Encode(new Result(1, 1.5m)));
        Assert.Throws<ArgumentException>(() => MessageCodec.Encode(new Result(1, new Dictionary<int, string> { [1] = "a" })));
    }

    [Fact]
    public void A_null_required_field_is_refused_when_encoding()
    {
        Assert.Throws<ArgumentException>(() => MessageCodec.Encode(new Hello(1, null!, 1)));
        Assert.Throws<ArgumentException>(() => MessageCodec.Encode(new SpiRequest(1, 1, "SELECT $1", [1L], [], true)));
    }
}
