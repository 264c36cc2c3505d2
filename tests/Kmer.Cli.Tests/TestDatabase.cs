namespace Kmer.Cli.Tests;

/// <summary>
/// Where the database tests get their server from: the Npgsql connection
/// string in <c>KMER_TEST_CONNECTION</c>. Without it the tests are skipped,
/// except under <c>CI=true</c>, where they run and fail. (The same
/// convention as Kmer.Search.Tests, copied rather than referenced.)
/// </summary>
internal static class TestDatabase
{
    public const string ConnectionVariable = "KMER_TEST_CONNECTION";

    public static string? ConnectionString
    {
        get
        {
            string? value = Environment.GetEnvironmentVariable(ConnectionVariable);
            return string.IsNullOrWhiteSpace(value) ? null : value;
        }
    }

    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? SkipReason =>
        ConnectionString is null && !IsCi
            ? $"{ConnectionVariable} is not set (an Npgsql connection string of a server with pg_kmersearch installed); with CI=true this is a failure."
            : null;

    /// <summary>The connection string; fails the test (in CI) when it is not set.</summary>
    public static string RequireConnectionString() =>
        ConnectionString ?? throw new InvalidOperationException($"{ConnectionVariable} is not set, and CI=true makes the database tests mandatory.");
}

/// <summary>A fact that needs the test database: skipped when <see cref="TestDatabase.SkipReason"/> says so.</summary>
internal sealed class DatabaseFactAttribute : FactAttribute
{
    public DatabaseFactAttribute()
    {
        if (TestDatabase.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
