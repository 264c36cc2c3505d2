using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>Small helpers for running SQL in the tests.</summary>
internal static class Sql
{
    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (object p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        object? value = await command.ExecuteScalarAsync();
        return (T)value!;
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (object p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        await command.ExecuteNonQueryAsync();
    }

    public static async Task<List<object?[]>> RowsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Runs <paramref name="sql"/> and returns the PostgreSQL error it must fail with.</summary>
    public static async Task<PostgresException> FailsAsync(NpgsqlConnection connection, string sql)
    {
        return await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, sql));
    }
}
