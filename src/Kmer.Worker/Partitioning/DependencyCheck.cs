namespace Kmer.Worker.Partitioning;

/// <summary>
/// Finds the objects that depend on a table (and, for unpartitioning, on its
/// partitions) and that the new table cannot take over: views, rules,
/// triggers, policies, foreign keys from other tables, publications,
/// functions or columns using the row type, statistics or sequences of
/// partitions, indexes and constraints a partition has on its own … The
/// handlers refuse such a table (ERROR naming them) instead of dropping
/// anything with CASCADE.
/// </summary>
internal static class DependencyCheck
{
    // $1: the table, $2: its partitions at every level (empty for a plain table).
    // Handled, hence not reported: the table's own indexes, constraints, defaults,
    // owned sequences, extended statistics and constraint triggers; partitions and
    // what a partition has through its parent (attached indexes, inherited or cloned
    // constraints, cloned triggers, its copies of the defaults).
    private const string Sql = """
        WITH parts AS (SELECT pg_catalog.unnest($2::oid[]) AS relid),
        rels AS (SELECT $1::oid AS relid UNION ALL SELECT relid FROM parts),
        types AS (
            SELECT c.reltype AS oid FROM pg_catalog.pg_class c WHERE c.oid IN (SELECT relid FROM rels)
            UNION
            SELECT t.typarray FROM pg_catalog.pg_class c JOIN pg_catalog.pg_type t ON t.oid = c.reltype
             WHERE c.oid IN (SELECT relid FROM rels) AND t.typarray <> 0),
        deps AS (
            SELECT DISTINCT d.classid, d.objid, d.objsubid
              FROM pg_catalog.pg_depend d
             WHERE d.deptype IN ('n', 'a')
               AND ((d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid IN (SELECT relid FROM rels))
                 OR (d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.refobjid IN (SELECT oid FROM types))))
        SELECT DISTINCT
               CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
                    (SELECT CASE WHEN r.rulename = '_RETURN' AND vc.relkind = 'm' THEN pg_catalog.format('materialized view %s', vc.oid::pg_catalog.regclass)
                                 WHEN r.rulename = '_RETURN' THEN pg_catalog.format('view %s', vc.oid::pg_catalog.regclass)
                                 ELSE pg_catalog.format('rule %I on %s', r.rulename, vc.oid::pg_catalog.regclass) END
                       FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class vc ON vc.oid = r.ev_class
                      WHERE r.oid = d.objid)
                    WHEN d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
                    (SELECT CASE WHEN co.contype = 'f' THEN pg_catalog.format('foreign key %I on %s', co.conname, co.conrelid::pg_catalog.regclass)
                                 ELSE pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) END
                       FROM pg_catalog.pg_constraint co WHERE co.oid = d.objid)
                    ELSE pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)
               END AS description
          FROM deps d
         WHERE NOT (
                   (d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid IN (SELECT relid FROM parts))
                OR (d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid IN (SELECT oid FROM types))
                OR (d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND EXISTS (
                       SELECT 1 FROM pg_catalog.pg_index i
                        WHERE i.indexrelid = d.objid
                          AND (i.indrelid = $1
                               OR (i.indrelid IN (SELECT relid FROM parts)
                                   AND EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid)))))
                OR (d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND EXISTS (
                       SELECT 1 FROM pg_catalog.pg_depend o
                        WHERE o.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.objid = d.objid
                          AND o.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.refobjid = $1
                          AND o.refobjsubid > 0 AND o.deptype = 'a'
                          AND EXISTS (SELECT 1 FROM pg_catalog.pg_class s WHERE s.oid = o.objid AND s.relkind = 'S')))
                OR (d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND EXISTS (
                       SELECT 1 FROM pg_catalog.pg_constraint co
                        WHERE co.oid = d.objid
                          AND (co.conrelid = $1
                               OR (co.conrelid IN (SELECT relid FROM parts) AND (co.coninhcount > 0 OR co.conparentid <> 0)))))
                OR (d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND EXISTS (
                       SELECT 1 FROM pg_catalog.pg_attrdef ad WHERE ad.oid = d.objid AND ad.adrelid IN (SELECT relid FROM rels)))
                OR (d.classid = 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass AND EXISTS (
                       SELECT 1 FROM pg_catalog.pg_statistic_ext s WHERE s.oid = d.objid AND s.stxrelid = $1))
                OR (d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND EXISTS (
                       SELECT 1 FROM pg_catalog.pg_trigger tg
                        WHERE tg.oid = d.objid
                          AND ((tg.tgisinternal AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co
                                                             WHERE co.oid = tg.tgconstraint AND co.conrelid IN (SELECT relid FROM rels)))
                               OR (tg.tgrelid IN (SELECT relid FROM parts) AND tg.tgparentid <> 0))))
               )
         ORDER BY 1
        """;

    /// <summary>Descriptions of the objects that block replacing <paramref name="table"/>, sorted; empty when none.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(SpiSession spi, long table, IReadOnlyList<long> partitions)
    {
        IReadOnlyList<SpiRow> rows = await spi.QueryAsync(Sql, SpiArg.Oid(table), new SpiArg(partitions.ToArray(), "oid[]")).ConfigureAwait(false);
        return [.. rows.Select(r => r.NullableText("description")).OfType<string>().Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The ERROR for <paramref name="blockers"/>: the message names them (the
    /// first few), the detail lists every one.
    /// </summary>
    public static CallFailedException Error(string action, string table, IReadOnlyList<string> blockers)
    {
        const int Named = 5;
        List<string> named = [.. blockers.Take(Named)];
        if (blockers.Count > Named)
        {
            named.Add($"{blockers.Count - Named} other object(s)");
        }

        string names = named.Count == 1 ? named[0] : string.Join(", ", named[..^1]) + " and " + named[^1];

        string verb = blockers.Count == 1 ? "depends" : "depend";
        return new CallFailedException(
            PartitionErrors.DependentObjectsStillExist,
            $"cannot {action} table {table} because {names} {verb} on it",
            string.Join('\n', blockers.Select(b => $"{b} depends on table {table}")),
            $"Drop {(blockers.Count == 1 ? "it" : "them")} first and recreate {(blockers.Count == 1 ? "it" : "them")} afterwards; {action}ing never drops dependent objects.");
    }
}
