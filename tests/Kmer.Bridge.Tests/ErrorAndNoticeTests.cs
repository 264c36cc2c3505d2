using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>The pool's errors and notices reach the caller as PostgreSQL errors and messages, field by field.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ErrorAndNoticeTests : IClassFixture<BridgeFixture>
{
    private readonly BridgeFixture _fixture;

    public ErrorAndNoticeTests(BridgeFixture fixture) => _fixture = fixture;

    [DatabaseFact]
    public async Task A_handler_error_keeps_its_sqlstate_message_detail_and_hint()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        PostgresException error = await Sql.FailsAsync(connection,
            "SELECT bridge_fail('22023', 'the value is wrong', 'it was 7', 'use 8')");

        Assert.Equal("22023", error.SqlState);
        Assert.Equal("the value is wrong", error.MessageText);
        Assert.Equal("it was 7", error.Detail);
        Assert.Equal("use 8", error.Hint);
        Assert.Contains("bridged function bridge_fail", error.Where, StringComparison.Ordinal);

        // The call ended properly: the same connection goes on working.
        Assert.Equal(5, await Sql.ScalarAsync<int>(connection, "SELECT bridge_echo(5)"));
    }

    [DatabaseFact]
    public async Task An_unknown_handler_is_undefined_function()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        PostgresException error = await Sql.FailsAsync(connection, "SELECT bridge_missing()");
        Assert.Equal("42883", error.SqlState);
        Assert.Contains("diagnostics.no_such_handler", error.MessageText, StringComparison.Ordinal);
    }

    [DatabaseFact]
    public async Task A_result_of_the_wrong_kind_or_range_is_an_error()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        Assert.Equal("42804", (await Sql.FailsAsync(connection, "SELECT bridge_text_as_int('abc')")).SqlState);
        Assert.Equal("22003", (await Sql.FailsAsync(connection, "SELECT bridge_int8_as_int2(100000)")).SqlState);
        Assert.Equal(-7, await Sql.ScalarAsync<short>(connection, "SELECT bridge_int8_as_int2(-7)"));
    }

    [DatabaseFact]
    public async Task A_function_body_must_name_a_handler_and_only_superusers_declare_them()
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        PostgresException bad = await Sql.FailsAsync(connection,
            "CREATE FUNCTION bridge_bad() RETURNS int LANGUAGE kmersearch_bridge AS 'not a handler'");
        Assert.Equal("42P13", bad.SqlState);

        await Sql.ExecuteAsync(connection, """
            DO $$ BEGIN CREATE ROLE bridge_plain_role; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT CREATE ON SCHEMA public TO bridge_plain_role;
            SET ROLE bridge_plain_role;
            """);
        PostgresException denied = await Sql.FailsAsync(connection,
            "CREATE FUNCTION bridge_mine() RETURNS int LANGUAGE kmersearch_bridge AS 'diagnostics.echo'");
        Assert.Equal("42501", denied.SqlState);
    }

    [DatabaseTheory]
    [InlineData("INFO")]
    [InlineData("NOTICE")]
    [InlineData("WARNING")]
    [InlineData("DEBUG")]
    public async Task A_notice_is_relayed_at_its_level_with_detail_and_hint(string level)
    {
        await using NpgsqlConnection connection = await _fixture.OpenAsync();
        var notices = new List<PostgresNotice>();
        connection.Notice += (_, e) => notices.Add(e.Notice);
        await Sql.ExecuteAsync(connection, "SET client_min_messages = debug1");

        await Sql.ExecuteAsync(connection, $"SELECT bridge_notice('{level}', 'step 3 of 7', 'some detail', 'some hint')");

        PostgresNotice notice = Assert.Single(notices, n => n.MessageText == "step 3 of 7");
        Assert.Equal(level, notice.InvariantSeverity);
        Assert.Equal("some detail", notice.Detail);
        Assert.Equal("some hint", notice.Hint);
    }
}
