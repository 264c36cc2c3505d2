using Npgsql;

namespace Kmer.Cli.Tests;

public sealed class AnalyzeConnectionTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static NpgsqlConnectionStringBuilder Resolve(
        string? connection = null, string? host = null, int? port = null, string? database = null, string? user = null,
        Func<string, string?>? environment = null) =>
        new(AnalyzeConnection.Resolve(connection, host, port, database, user, environment ?? Environment()));

    [Fact]
    public void Without_anything_it_is_doctors_default()
    {
        NpgsqlConnectionStringBuilder b = Resolve();

        Assert.Equal("/var/run/postgresql", b.Host);
        Assert.Equal(5432, b.Port);
        Assert.Equal("postgres", b.Username);
        Assert.Equal("postgres", b.Database);
        Assert.Equal(AnalyzeConnection.ApplicationName, b.ApplicationName);
        Assert.True(b.IncludeErrorDetail);
    }

    [Fact]
    public void Libpq_variables_fill_in_what_the_connection_string_leaves_out()
    {
        var environment = Environment(("PGHOST", "/tmp/pg"), ("PGPORT", "5443"), ("PGDATABASE", "bench"), ("PGUSER", "alice"),
            ("KMER_CONNECTION", "Database=from_kmer"));

        NpgsqlConnectionStringBuilder b = Resolve(environment: environment);

        Assert.Equal("/tmp/pg", b.Host);
        Assert.Equal(5443, b.Port);
        Assert.Equal("alice", b.Username);
        Assert.Equal("from_kmer", b.Database);
    }

    [Fact]
    public void Options_win_over_the_connection_string_which_wins_over_the_environment()
    {
        var environment = Environment(("PGHOST", "/tmp/env"), ("PGPORT", "1111"), ("KMER_CONNECTION", "Host=/tmp/kmer;Port=2222"));

        NpgsqlConnectionStringBuilder fromVariable = Resolve(environment: environment);
        NpgsqlConnectionStringBuilder fromOption = Resolve("Host=/tmp/option;Username=bob", environment: environment);
        NpgsqlConnectionStringBuilder overridden = Resolve("Host=/tmp/option", host: "/tmp/flag", port: 3333, database: "db", user: "carol", environment: environment);

        Assert.Equal(("/tmp/kmer", 2222), (fromVariable.Host, fromVariable.Port));
        Assert.Equal(("/tmp/option", 1111, "bob"), (fromOption.Host, fromOption.Port, fromOption.Username));
        Assert.Equal(("/tmp/flag", 3333, "db", "carol"), (overridden.Host, overridden.Port, overridden.Database, overridden.Username));
    }

    [Fact]
    public void A_bad_port_in_the_environment_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => Resolve(environment: Environment(("PGPORT", "54x"))));
    }

    [Fact]
    public void Describe_never_shows_the_password()
    {
        string text = AnalyzeConnection.Describe("Host=db;Port=5433;Username=u;Password=secret;Database=d");

        Assert.Equal("Host=db;Port=5433;Username=u;Database=d", text);
    }
}
