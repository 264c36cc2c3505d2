namespace Kmer.Tests.Shared;

/// <summary>
/// Where the database tests get their server from: the Npgsql connection
/// string in <c>KMER_TEST_CONNECTION</c>. Without it the tests are skipped,
/// except under <c>CI=true</c>, where they run and fail. Compiled into every
/// test project that talks to the server (tests/Shared, linked in the csproj).
/// </summary>
public static class TestDatabase
{
    /// <summary>The environment variable holding the connection string.</summary>
    public const string ConnectionVariable = "KMER_TEST_CONNECTION";

    /// <summary>The connection string, or null when the variable is unset or blank.</summary>
    public static string? ConnectionString
    {
        get
        {
            string? value = Environment.GetEnvironmentVariable(ConnectionVariable);
            return string.IsNullOrWhiteSpace(value) ? null : value;
        }
    }

    /// <summary>Whether the tests run in CI (<c>CI=true</c>), where a missing database is a failure.</summary>
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why database tests are skipped, or null when they run (configured, or in CI).</summary>
    public static string? SkipReason =>
        ConnectionString is null && !IsCi
            ? $"{ConnectionVariable} is not set (an Npgsql connection string of a server with pg_kmersearch installed); with CI=true this is a failure."
            : null;

    /// <summary>The connection string; fails the test (in CI) when it is not set.</summary>
    public static string RequireConnectionString() =>
        ConnectionString ?? throw new InvalidOperationException($"{ConnectionVariable} is not set, and CI=true makes the database tests mandatory.");
}
