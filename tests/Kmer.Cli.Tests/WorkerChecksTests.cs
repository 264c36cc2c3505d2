using Npgsql;

namespace Kmer.Cli.Tests;

public sealed class WorkerChecksTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("connect", "pg_hba.conf `local all postgres peer`")]
    [InlineData("set_role", "must be a superuser or a member of the caller's role")]
    [InlineData("snapshot", "SET TRANSACTION SNAPSHOT")]
    [InlineData("spill_directory", "or set Worker:SpillDirectory")]
    public void A_failed_row_is_a_failure_with_the_fix_for_that_check(string name, string fix)
    {
        DoctorCheck check = WorkerChecks.FromRow(name, ok: false, "it went wrong");

        Assert.Equal(new DoctorCheck("worker." + name, DoctorStatus.Fail, "it went wrong", check.Fix), check);
        Assert.Contains(fix, check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_passed_row_is_ok_with_its_detail()
    {
        Assert.Equal(DoctorCheck.Ok("worker.connect", "connected as postgres to /var/run/postgresql:5432"),
            WorkerChecks.FromRow("connect", ok: true, "connected as postgres to /var/run/postgresql:5432"));
        Assert.Equal(DoctorCheck.Ok("worker.snapshot", "ok"), WorkerChecks.FromRow("snapshot", ok: true, null));
    }

    [Fact]
    public void An_unknown_failed_row_points_at_the_logs()
    {
        DoctorCheck check = WorkerChecks.FromRow("something_new", ok: false, null);

        Assert.Equal("worker.something_new", check.Check);
        Assert.Equal(DoctorStatus.Fail, check.Status);
        Assert.Equal("failed (no detail)", check.Finding);
        Assert.Contains("journalctl -u kmer-worker", check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_function_is_an_old_extension()
    {
        var ex = new PostgresException("function kmersearch_worker_check() does not exist", "ERROR", "ERROR", PostgresErrorCodes.UndefinedFunction);

        DoctorCheck check = WorkerChecks.FromError(ex, "genomes", Timeout);

        Assert.Equal("worker_check", check.Check);
        Assert.Equal(DoctorStatus.Fail, check.Status);
        Assert.Equal("kmersearch_worker_check() does not exist in database genomes: the pg_kmersearch created there predates it", check.Finding);
        Assert.Contains("ALTER EXTENSION pg_kmersearch UPDATE; in database genomes", check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_call_reports_the_error_its_detail_and_its_hint()
    {
        var ex = new PostgresException("cannot reach the worker pool", "ERROR", "ERROR", "08006",
            detail: "connect(/run/kmer-worker/kmer-worker.sock): No such file or directory", hint: "start the pool");

        DoctorCheck check = WorkerChecks.FromError(ex, "genomes", Timeout);

        Assert.Equal(
            "kmersearch_worker_check() failed: cannot reach the worker pool (SQLSTATE 08006): connect(/run/kmer-worker/kmer-worker.sock): No such file or directory",
            check.Finding);
        Assert.StartsWith("start the pool; else read the server log", check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timeout_says_how_long_it_waited()
    {
        var ex = new NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt"));

        DoctorCheck check = WorkerChecks.FromError(ex, "genomes", TimeSpan.FromSeconds(2.5));

        Assert.Equal("kmersearch_worker_check() did not finish within 2.5 s", check.Finding);
        Assert.StartsWith("try a longer --timeout", check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_become_checks_in_order_in_the_text_report()
    {
        DoctorCheck[] checks =
        [
            WorkerChecks.FromRow("connect", ok: true, "connected"),
            WorkerChecks.FromRow("spill_directory", ok: false, "/var/lib/kmer/spill does not exist"),
        ];
        var output = new StringWriter();

        DoctorReport.WriteText(output, checks);

        Assert.Equal(
            "ok    worker.connect: connected\n"
            + "FAIL  worker.spill_directory: /var/lib/kmer/spill does not exist\n"
            + "      fix: create it and give it to the server's OS user, or set Worker:SpillDirectory\n",
            output.ToString().ReplaceLineEndings("\n"));
    }
}
