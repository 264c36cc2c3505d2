using System.Diagnostics;
using System.Net.Sockets;
using Kmer.Protocol;
using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>
/// The preloaded extension's background worker runs the worker pool
/// (kmersearch.worker_autostart defaults to on) and starts it again when it
/// dies. Checked against the real server and the real, installed pool.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class PoolSupervisionTests : IClassFixture<DatabaseFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly DatabaseFixture _database;

    public PoolSupervisionTests(DatabaseFixture database) => _database = database;

    [DatabaseFact]
    public async Task The_server_runs_the_pool_and_restarts_it_after_kill_9()
    {
        string socket = await PoolSocketAsync();

        int first = await WaitForPoolAsync(socket, notPid: null);
        Process.GetProcessById(first).Kill();   // SIGKILL on Linux

        int second = await WaitForPoolAsync(socket, notPid: first);
        Assert.NotEqual(first, second);
    }

    private async Task<string> PoolSocketAsync()
    {
        await using NpgsqlConnection connection = await _database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT CASE current_setting('kmersearch.worker_socket_path') " +
            "WHEN '' THEN current_setting('data_directory') || '/kmer-worker.sock' " +
            "ELSE current_setting('kmersearch.worker_socket_path') END", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Asks the pool for its pid until one (other than <paramref name="notPid"/>) answers.</summary>
    private static async Task<int> WaitForPoolAsync(string socket, int? notPid)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < Patience)
        {
            try
            {
                int pid = await StatusPidAsync(socket);
                if (pid != notPid)
                {
                    return pid;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or ProtocolException)
            {
                last = ex;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"no worker pool (other than pid {notPid}) answered on {socket} within {Patience}", last);
    }

    private static async Task<int> StatusPidAsync(string socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(socket), timeout.Token);
        await using var stream = new NetworkStream(client, ownsSocket: false);
        var writer = new FrameWriter(stream);
        var reader = new FrameReader(stream);

        await writer.WriteMessageAsync(new Hello(ProtocolVersion.Current, "Kmer.Bridge.Tests", Environment.ProcessId), timeout.Token);
        Assert.IsType<Welcome>(await reader.ReadMessageAsync(timeout.Token));
        await writer.WriteMessageAsync(new StatusRequest(), timeout.Token);
        var status = Assert.IsType<StatusResult>(await reader.ReadMessageAsync(timeout.Token));
        return status.Pid;
    }
}
