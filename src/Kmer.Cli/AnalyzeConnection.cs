using System.Globalization;
using Npgsql;

namespace Kmer.Cli;

/// <summary>
/// The connection of <c>kmer-cli analyze</c>. Each of host, port, database
/// and user comes from, in this order: its option (<c>--host</c>,
/// <c>--port</c>, <c>--dbname</c>, <c>--username</c>); the connection string
/// (<c>--connection</c>, else <c>KMER_CONNECTION</c>, as for <c>doctor</c>);
/// the libpq variables <c>PGHOST</c>, <c>PGPORT</c>, <c>PGDATABASE</c>,
/// <c>PGUSER</c>; <c>doctor</c>'s default
/// (<see cref="DoctorOptions.DefaultConnectionString"/>, port 5432).
/// Npgsql itself reads <c>PGPASSWORD</c>, <c>PGPASSFILE</c> and <c>PGOPTIONS</c>.
/// </summary>
public static class AnalyzeConnection
{
    /// <summary>The application_name both connections report in pg_stat_activity.</summary>
    public const string ApplicationName = "kmer-cli analyze";

    /// <summary>Builds the connection string.</summary>
    /// <exception cref="ArgumentException">The connection string, or a port from the environment, is not valid.</exception>
    public static string Resolve(
        string? connection, string? host, int? port, string? database, string? user, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        string? given = !string.IsNullOrWhiteSpace(connection) ? connection : getEnvironmentVariable(DoctorOptions.ConnectionVariable);
        var builder = new NpgsqlConnectionStringBuilder(string.IsNullOrWhiteSpace(given) ? "" : given);
        // NpgsqlConnectionStringBuilder reports every known key as present; the plain builder only those given.
        bool portGiven = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = given ?? "" }.ContainsKey("Port");
        var defaults = new NpgsqlConnectionStringBuilder(DoctorOptions.DefaultConnectionString);

        builder.Host = First(host, builder.Host, Variable("PGHOST"), defaults.Host);
        builder.Username = First(user, builder.Username, Variable("PGUSER"), defaults.Username);
        builder.Database = First(database, builder.Database, Variable("PGDATABASE"), defaults.Database);
        if (port is int p)
        {
            builder.Port = p;
        }
        else if (!portGiven && Variable("PGPORT") is { } fromEnvironment)
        {
            builder.Port = int.TryParse(fromEnvironment, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed is > 0 and <= 65535
                ? parsed
                : throw new ArgumentException($"PGPORT is not a port number: \"{fromEnvironment}\"");
        }

        // The user reads what the server said, detail included; both connections are the command's own.
        builder.IncludeErrorDetail = true;
        builder.Pooling = false;
        builder.ApplicationName ??= ApplicationName;
        return builder.ConnectionString;

        string? Variable(string name) => getEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
    }

    /// <summary>Where a connection string points, for messages: host, port, user and database, never the password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return string.Create(CultureInfo.InvariantCulture,
            $"Host={builder.Host};Port={builder.Port};Username={builder.Username};Database={builder.Database}");
    }

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
