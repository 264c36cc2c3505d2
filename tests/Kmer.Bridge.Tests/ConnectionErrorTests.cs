using System.Diagnostics;
using System.Net.Sockets;
using Kmer.Protocol;
using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// No socket, nothing listening, another protocol version, a pool that does
/// not take the server for the server: each a specific error, never a hang.
/// The server's kmersearch.worker_socket_path is pointed elsewhere for these
/// tests (ALTER SYSTEM + reload) and restored afterwards; the running pool
/// keeps its own socket meanwhile.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ConnectionErrorTests : IClassFixture<BridgeFixture>, IDisposable
{
    private readonly BridgeFixture _fixture;
    private readonly string _directory;

    public ConnectionErrorTests(BridgeFixture fixture)
    {
        _fixture = fixture;
        _directory = Directory.CreateTempSubdirectory("kmer-bridge-").FullName;

        // The server's OS user must reach sockets made here by the test (often root).
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_111_111);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [DatabaseFact]
    public async Task A_missing_socket_says_the_pool_is_not_running()
    {
        PostgresException error = await CallWithSocketAsync(Path.Combine(_directory, "missing.sock"));
        Assert.Equal("08001", error.SqlState);
        Assert.Contains("does not exist", error.MessageText, StringComparison.Ordinal);
        Assert.Contains("kmersearch.worker_autostart", error.Hint, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task A_socket_nobody_listens_on_says_the_pool_is_not_running()
    {
        // Bound but not listening, like the socket file of a pool that died: connect() is refused.
        string path = Path.Combine(_directory, "stale.sock");
        using var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        stale.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);

        PostgresException error = await CallWithSocketAsync(path);
        Assert.Equal("08001", error.SqlState);
        Assert.Contains("nothing accepts connections", error.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task A_pool_of_another_protocol_version_is_a_protocol_violation()
    {
        string path = Path.Combine(_directory, "v2.sock");
        await using var fake = FakePool.Start(path, _ => new Welcome(2, "kmer-worker 9.9", 1, PeerKind.Server));
        PostgresException error = await CallWithSocketAsync(path);
        Assert.Equal("08P01", error.SqlState);
        Assert.Contains("version 2", error.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task A_pool_that_refuses_the_version_has_its_error_raised()
    {
        string path = Path.Combine(_directory, "refuse.sock");
        await using var fake = FakePool.Start(path, hello => new Error(null, "08P01",
            $"bridge protocol version mismatch: the client speaks version {hello.Protocol}, the worker speaks version 7"));
        PostgresException error = await CallWithSocketAsync(path);
        Assert.Equal("08P01", error.SqlState);
        Assert.Contains("the worker speaks version 7", error.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task A_pool_that_takes_the_server_for_an_admin_is_refused()
    {
        string path = Path.Combine(_directory, "admin.sock");
        await using var fake = FakePool.Start(path, _ => new Welcome(ProtocolVersion.Current, "kmer-worker", 1, PeerKind.Admin));
        PostgresException error = await CallWithSocketAsync(path);
        Assert.Equal("42501", error.SqlState);
        Assert.Contains("Worker:ServerUser", error.Hint, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task A_silent_pool_can_still_be_interrupted()
    {
        string path = Path.Combine(_directory, "silent.sock");
        await using var fake = FakePool.Start(path, _ => null);
        var clock = Stopwatch.StartNew();
        PostgresException error = await CallWithSocketAsync(path, "SET statement_timeout = '300ms'");
        Assert.Equal("57014", error.SqlState);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [DatabaseFact]
    public async Task The_real_pool_refuses_calls_from_an_admin_peer()
    {
        // The test runs as root, an admin user of the pool by default: status yes, data work no.
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        string socket = await Sql.ScalarAsync<string>(connection,
            "SELECT CASE current_setting('kmersearch.worker_socket_path') WHEN '' THEN current_setting('data_directory') || '/kmer-worker.sock' " +
            "ELSE current_setting('kmersearch.worker_socket_path') END");
        if (Environment.UserName != "root")
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(socket), timeout.Token);
        await using var stream = new NetworkStream(client, ownsSocket: false);
        var writer = new FrameWriter(stream);
        var reader = new FrameReader(stream);
        await writer.WriteMessageAsync(new Hello(ProtocolVersion.Current, "Kmer.Bridge.Tests", Environment.ProcessId), timeout.Token);
        Welcome welcome = Assert.IsType<Welcome>(await reader.ReadMessageAsync(timeout.Token));
        Assert.Equal(PeerKind.Admin, welcome.Peer);

        var context = new CallContext("postgres", "postgres", "public", Environment.ProcessId, null, new Dictionary<string, string>());
        await writer.WriteMessageAsync(new Call(1, "diagnostics.echo", [1L], context), timeout.Token);
        Error error = Assert.IsType<Error>(await reader.ReadMessageAsync(timeout.Token));
        Assert.Equal("42501", error.SqlState);
    }

    /// <summary>Points the server at <paramref name="socket"/>, makes one call in a new session, and restores the setting.</summary>
    private async Task<PostgresException> CallWithSocketAsync(string socket, string? sessionSetup = null)
    {
        await using NpgsqlConnection admin = await _fixture.OpenAsync();
        await SetSocketPathAsync(admin, socket);
        try
        {
            await using NpgsqlConnection connection = await _fixture.OpenAsync();
            if (sessionSetup is not null)
            {
                await Sql.ExecuteAsync(connection, sessionSetup);
            }

            return await Sql.FailsAsync(connection, "SELECT bridge_echo(1)");
        }
        finally
        {
            await SetSocketPathAsync(admin, null);
        }
    }

    private async Task SetSocketPathAsync(NpgsqlConnection admin, string? socket)
    {
        await Sql.ExecuteAsync(admin, socket is null
            ? "ALTER SYSTEM RESET kmersearch.worker_socket_path"
            : $"ALTER SYSTEM SET kmersearch.worker_socket_path = '{socket}'");
        await Sql.ExecuteAsync(admin, "SELECT pg_reload_conf()");

        // The reload is asynchronous: wait until new sessions see the value.
        string expected = socket ?? "";
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await using NpgsqlConnection probe = await _fixture.OpenAsync();
            if (await Sql.ScalarAsync<string>(probe, "SELECT current_setting('kmersearch.worker_socket_path')") == expected)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"kmersearch.worker_socket_path did not become '{expected}'");
    }
}
