using System.Diagnostics;
using Npgsql;

namespace Kmer.Bridge.Tests;

/// <summary>What the partition tests compare before and after a call.</summary>
internal static class PartitionTestSupport
{
    /// <summary>
    /// Everything that must survive partitioning, as text: columns (type,
    /// NOT NULL, default, generated, identity, storage, compression,
    /// statistics target, comment, privileges), constraints, indexes (minus
    /// "ON ONLY", which only a partitioned index prints), extended statistics,
    /// the table's owner, privileges, comment, row security and replica identity.
    /// </summary>
    public const string SignatureSql = """
        WITH t AS (SELECT to_regclass($1) AS oid)
        SELECT string_agg(x, E'\n' ORDER BY x) FROM (
          SELECT format('column %s %s notnull=%s default=%s generated=%s identity=%s storage=%s compression=%s stats=%s comment=%s acl=%s',
                        a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                        a.attgenerated, a.attidentity, a.attstorage, a.attcompression, a.attstattarget,
                        col_description(a.attrelid, a.attnum), a.attacl) AS x
            FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           WHERE a.attrelid = (SELECT oid FROM t) AND a.attnum > 0 AND NOT a.attisdropped
          UNION ALL
          SELECT format('constraint %s %s comment=%s', conname, pg_get_constraintdef(oid), obj_description(oid, 'pg_constraint'))
            FROM pg_constraint WHERE conrelid = (SELECT oid FROM t)
          UNION ALL
          SELECT format('index %s %s comment=%s replident=%s', c.relname, replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON '),
                        obj_description(i.indexrelid, 'pg_class'), i.indisreplident)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = (SELECT oid FROM t)
          UNION ALL
          SELECT format('statistics %s comment=%s', pg_get_statisticsobjdef(s.oid), obj_description(s.oid, 'pg_statistic_ext'))
            FROM pg_statistic_ext s WHERE s.stxrelid = (SELECT oid FROM t)
          UNION ALL
          SELECT format('table %s owner=%s acl=%s comment=%s rls=%s/%s replident=%s', c.oid::regclass, c.relowner::regrole, c.relacl,
                        obj_description(c.oid, 'pg_class'), c.relrowsecurity, c.relforcerowsecurity, c.relreplident)
            FROM pg_class c WHERE c.oid = (SELECT oid FROM t)
        ) s
        """;

    /// <summary>An order-independent checksum of every row of a table.</summary>
    public static Task<string> ChecksumAsync(NpgsqlConnection connection, string table) =>
        Sql.ScalarAsync<string>(connection, $"SELECT coalesce(md5(string_agg(r::text, ',' ORDER BY r::text)), 'empty') FROM {table} r");

    public static Task<string> SignatureAsync(NpgsqlConnection connection, string table) =>
        Sql.ScalarAsync<string>(connection, SignatureSql, table);

    /// <summary>The table's OID, relkind, checksum and definition, and the database's relation, type and constraint counts.</summary>
    public static async Task<TableState> StateAsync(NpgsqlConnection connection, string table)
    {
        List<object?[]> rows = await Sql.RowsAsync(connection, $"""
            SELECT to_regclass('{table.Replace("'", "''", StringComparison.Ordinal)}')::oid::bigint,
                   (SELECT relkind::text FROM pg_class WHERE oid = to_regclass('{table.Replace("'", "''", StringComparison.Ordinal)}')),
                   (SELECT count(*) FROM pg_class), (SELECT count(*) FROM pg_type), (SELECT count(*) FROM pg_constraint),
                   (SELECT count(*) FROM pg_depend)
            """);
        object?[] row = Assert.Single(rows);
        return new TableState(
            (long)row[0]!,
            (string)row[1]!,
            await ChecksumAsync(connection, table),
            await SignatureAsync(connection, table),
            (long)row[2]!,
            (long)row[3]!,
            (long)row[4]!,
            (long)row[5]!);
    }

    /// <summary>Collects the INFO/NOTICE/WARNING messages a connection receives, with the time they arrived.</summary>
    public static List<(TimeSpan At, string Severity, string Message)> CollectNotices(NpgsqlConnection connection)
    {
        var notices = new List<(TimeSpan, string, string)>();
        var clock = Stopwatch.StartNew();
        connection.Notice += (_, e) =>
        {
            lock (notices)
            {
                notices.Add((clock.Elapsed, e.Notice.InvariantSeverity, e.Notice.MessageText));
            }
        };
        return notices;
    }

    /// <summary>Polls kmersearch_worker_status() until <paramref name="handler"/> of backend <paramref name="callerPid"/> reports progress in (0, 1).</summary>
    public static async Task<double> WaitForProgressAsync(NpgsqlConnection observer, int callerPid, string handler, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            List<object?[]> rows = await Sql.RowsAsync(observer,
                $"SELECT progress FROM kmersearch_worker_status() WHERE caller_pid = {callerPid} AND handler = '{handler}'");
            if (rows.Count == 1 && rows[0][0] is double progress && progress > 0 && progress < 1)
            {
                return progress;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"{handler} of backend {callerPid} never reported progress between 0 and 1");
    }

    /// <summary>
    /// A plpgsql function for CHECK constraints that makes a migration slow
    /// (10 ms for every 100th value) while the session sets <c>part.slow</c>,
    /// so that it can be interrupted midway.
    /// </summary>
    public const string SlowCheckFunction = """
        CREATE OR REPLACE FUNCTION part_slow_ok(i bigint) RETURNS boolean LANGUAGE plpgsql AS $$
        BEGIN
            IF i % 100 = 0 AND current_setting('part.slow', true) = 'on' THEN PERFORM pg_sleep(0.01); END IF;
            RETURN true;
        END $$;
        """;

    /// <summary>A DNA2 value derived from i (32 bases).</summary>
    public const string DnaOf = "translate(md5(i::text), '0123456789abcdef', 'ACGTACGTACGTACGT')";
}

/// <summary>A table and the database around it, to show that a failed call changed nothing.</summary>
internal sealed record TableState(long Oid, string Kind, string Checksum, string Signature, long Relations, long Types, long Constraints, long Dependencies);
