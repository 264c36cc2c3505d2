using System.Text.Json;
using Npgsql;

namespace Kmer.Cli.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DoctorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // A connection string that fails at once: no server socket in a directory that does not exist.
    private const string NoServer = "Host=/nonexistent-kmer-doctor;Username=postgres;Database=postgres;Timeout=2";

    private static readonly DoctorCheck[] Sample =
    [
        DoctorCheck.Ok("postgres", "PostgreSQL 15.4"),
        DoctorCheck.Warn("settings", "cannot read data_directory", "GRANT pg_read_all_settings TO me"),
        DoctorCheck.Fail("preload", "not preloaded", "add shared_preload_libraries = 'pg_kmersearch'\nand restart"),
    ];

    [Fact]
    public void Text_report_has_one_line_per_check_and_a_fix_line_for_warn_and_fail()
    {
        var output = new StringWriter();

        DoctorReport.WriteText(output, Sample);

        Assert.Equal(
        [
            "ok    postgres: PostgreSQL 15.4",
            "warn  settings: cannot read data_directory",
            "      fix: GRANT pg_read_all_settings TO me",
            "FAIL  preload: not preloaded",
            "      fix: add shared_preload_libraries = 'pg_kmersearch' and restart",
        ], Lines(output.ToString()));
    }

    [Fact]
    public void Json_report_is_an_array_of_check_status_finding_fix()
    {
        var output = new StringWriter();

        DoctorReport.WriteJson(output, Sample);

        using JsonDocument doc = JsonDocument.Parse(output.ToString());
        JsonElement[] items = [.. doc.RootElement.EnumerateArray()];
        Assert.Equal(["ok", "warn", "fail"], items.Select(i => i.GetProperty("status").GetString()));
        Assert.Equal("postgres", items[0].GetProperty("check").GetString());
        Assert.Equal(JsonValueKind.Null, items[0].GetProperty("fix").ValueKind);
        Assert.Equal("GRANT pg_read_all_settings TO me", items[1].GetProperty("fix").GetString());
        Assert.Equal("not preloaded", items[2].GetProperty("finding").GetString());
    }

    [Fact]
    public void Exit_code_is_1_only_when_a_check_failed()
    {
        Assert.Equal(1, DoctorReport.ExitCode(Sample));
        Assert.Equal(0, DoctorReport.ExitCode(Sample[..2]));
    }

    [Theory]
    [InlineData("pg_kmersearch", true)]
    [InlineData("pg_stat_statements, pg_kmersearch", true)]
    [InlineData("$libdir/pg_kmersearch", true)]
    [InlineData("\"$libdir/pg_kmersearch\"", true)]
    [InlineData("pg_kmersearch.so", true)]
    [InlineData("", false)]
    [InlineData("pg_kmersearch_other", false)]
    public void Preload_list_parsing(string value, bool expected) =>
        Assert.Equal(expected, DatabaseChecks.IsPreloaded(value));

    [Fact]
    public async Task Missing_socket_fails_with_a_fix_and_the_pool_is_not_asked()
    {
        string directory = TempDirectory.Create();
        try
        {
            string path = Path.Combine(directory, "none.sock");

            IReadOnlyList<DoctorCheck> checks = await SocketChecks.RunAsync(path, Timeout);

            Assert.Equal(["socket", "pool"], checks.Select(c => c.Check));
            Assert.All(checks, c => Assert.Equal(DoctorStatus.Fail, c.Status));
            Assert.Contains($"{path} does not exist", checks[0].Finding, StringComparison.Ordinal);
            Assert.Contains("systemctl start kmer-worker", checks[0].Fix, StringComparison.Ordinal);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    [Fact]
    public void A_regular_file_is_not_a_socket()
    {
        string directory = TempDirectory.Create();
        try
        {
            string path = Path.Combine(directory, "plain.sock");
            File.WriteAllText(path, "");

            DoctorCheck check = SocketChecks.CheckFile(path);

            Assert.Equal(DoctorStatus.Fail, check.Status);
            Assert.Contains("is not a socket", check.Finding, StringComparison.Ordinal);
            Assert.Contains($"remove {path}", check.Fix, StringComparison.Ordinal);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    [Fact]
    public async Task A_0660_socket_with_an_answering_pool_is_ok()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.TwoJobs);
        File.SetUnixFileMode(worker.SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);

        IReadOnlyList<DoctorCheck> checks = await SocketChecks.RunAsync(worker.SocketPath, Timeout);

        Assert.All(checks, c => Assert.Equal(DoctorStatus.Ok, c.Status));
        Assert.StartsWith($"{worker.SocketPath}: socket, mode 0660, owner ", checks[0].Finding, StringComparison.Ordinal);
        Assert.Equal("kmer-worker 1.0.2026.11.24 answers: version 1.0.2026.11.24, pid 4321, 2 job(s) running", checks[1].Finding);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite, "world-writable", "chmod o-rwx")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite, "not group read/writable", "chmod g+rw")]
    public async Task Loose_or_tight_socket_modes_warn(UnixFileMode mode, string finding, string fix)
    {
        await using var worker = FakeWorker.Answering(FakeWorker.NoJobs);
        File.SetUnixFileMode(worker.SocketPath, mode);

        DoctorCheck check = SocketChecks.CheckFile(worker.SocketPath);

        Assert.Equal(DoctorStatus.Warn, check.Status);
        Assert.Contains(finding, check.Finding, StringComparison.Ordinal);
        Assert.StartsWith(fix, check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_server_postgres_fails_and_the_socket_option_is_still_checked()
    {
        await using var worker = FakeWorker.Answering(FakeWorker.NoJobs);
        var output = new StringWriter();

        int code = await new DoctorService(_ => null).RunAsync(new DoctorOptions(NoServer, worker.SocketPath, Json: false, Timeout), output);

        Assert.Equal(1, code);
        string[] lines = Lines(output.ToString());
        Assert.StartsWith("FAIL  postgres: cannot connect (Host=/nonexistent-kmer-doctor;", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("      fix: check that PostgreSQL runs", lines[1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("ok    pool: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Connection_string_comes_from_the_option_then_KMER_CONNECTION_then_the_default()
    {
        var withVariable = new DoctorService(name => name == "KMER_CONNECTION" ? "Host=env" : null);
        var without = new DoctorService(_ => null);

        Assert.Equal("Host=opt", withVariable.ResolveConnectionString("Host=opt"));
        Assert.Equal("Host=env", withVariable.ResolveConnectionString(null));
        Assert.Equal("Host=/var/run/postgresql;Username=postgres;Database=postgres", without.ResolveConnectionString(null));
    }

    [DatabaseFact]
    public async Task Doctor_against_the_test_server_with_the_extension_is_all_ok()
    {
        var admin = new NpgsqlConnectionStringBuilder(TestDatabase.RequireConnectionString());
        string scratch = "kmer_doctor_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(admin.ConnectionString, $"CREATE DATABASE {scratch}");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = scratch, Pooling = false };
            await ExecuteAsync(builder.ConnectionString, "CREATE EXTENSION pg_kmersearch");
            var output = new StringWriter();

            int code = await new DoctorService(_ => null).RunAsync(new DoctorOptions(builder.ConnectionString, null, Json: true, Timeout), output);

            using JsonDocument doc = JsonDocument.Parse(output.ToString());
            Dictionary<string, JsonElement> checks = doc.RootElement.EnumerateArray().ToDictionary(c => c.GetProperty("check").GetString()!);
            string report = output.ToString();
            foreach (string name in new[] { "postgres", "preload", "extension", "settings", "socket", "pool", "worker.connect", "worker.set_role", "worker.snapshot", "worker.spill_directory" })
            {
                Assert.True(checks.ContainsKey(name), report);
            }

            Assert.All(checks.Values, c => Assert.True(c.GetProperty("status").GetString() == "ok", report));

            Assert.Contains($"in database {scratch}, build ", checks["extension"].GetProperty("finding").GetString(), StringComparison.Ordinal);
            Assert.Equal(0, code);
        }
        finally
        {
            await ExecuteAsync(admin.ConnectionString, $"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}
