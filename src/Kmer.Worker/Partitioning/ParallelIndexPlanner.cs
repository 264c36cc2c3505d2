using System.Globalization;
using Kmer.Protocol;

namespace Kmer.Worker.Partitioning;

/// <summary>
/// Validates a <c>kmersearch_parallel_create_index</c> call in the caller's
/// session (read-only SPI, the caller's privileges) and turns it into a
/// <see cref="ParallelIndexPlan"/>. Every failure is an ERROR before anything
/// is built.
/// </summary>
internal static class ParallelIndexPlanner
{
    /// <summary>SQLSTATE null_value_not_allowed.</summary>
    public const string NullValueNotAllowed = "22004";

    /// <summary>SQLSTATE invalid_parameter_value.</summary>
    public const string InvalidParameterValue = "22023";

    /// <summary>SQLSTATE undefined_table.</summary>
    public const string UndefinedTable = "42P01";

    /// <summary>SQLSTATE undefined_column.</summary>
    public const string UndefinedColumn = "42703";

    /// <summary>SQLSTATE undefined_object (an unknown tablespace).</summary>
    public const string UndefinedObject = "42704";

    /// <summary>SQLSTATE wrong_object_type: not a partitioned table, or not a DNA2/DNA4 column.</summary>
    public const string WrongObjectType = "42809";

    /// <summary>SQLSTATE duplicate_table: an index name is taken.</summary>
    public const string DuplicateTable = "42P07";

    /// <summary>SQLSTATE insufficient_privilege.</summary>
    public const string InsufficientPrivilege = "42501";

    /// <summary>SQLSTATE feature_not_supported (foreign partitions).</summary>
    public const string FeatureNotSupported = "0A000";

    /// <summary>SQLSTATE object_in_use: the calling transaction holds a lock that the builds would wait for.</summary>
    public const string ObjectInUse = "55006";

    // Lock modes that conflict with the SHARE lock CREATE INDEX takes on the table it indexes.
    private static readonly string[] ConflictsWithShare =
        ["RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"];

    /// <summary>Reads the arguments: table and column (not NULL), tablespace (NULL or empty: none).</summary>
    public static (string Table, string Column, string? Tablespace) Arguments(HandlerContext context)
    {
        IReadOnlyList<object?> args = context.Call.Args;
        string table = Text(args, 0, "table_name") ?? throw NullArgument("table_name");
        string column = Text(args, 1, "column_name") ?? throw NullArgument("column_name");
        string? tablespace = Text(args, 2, "tablespace_name");
        return (table, column, string.IsNullOrEmpty(tablespace) ? null : tablespace);
    }

    /// <summary>Validates everything that can be checked in the caller's session and returns the plan.</summary>
    public static async Task<ParallelIndexPlan> PlanAsync(
        HandlerContext context, string table, string column, string? tablespace, ParallelIndexSettings settings, CancellationToken cancellationToken)
    {
        // 1. The table: must exist and be partitioned.
        SpiResult root = await QueryAsync(context,
            """
            SELECT c.oid, c.relkind::text, n.nspname::text, c.relname::text
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.oid = pg_catalog.to_regclass($1)
            """, [table], ["text"], cancellationToken).ConfigureAwait(false);
        if (root.Rows.Count == 0)
        {
            throw new CallFailedException(UndefinedTable, $"relation \"{table}\" does not exist");
        }

        long rootOid = Long(root.Rows[0][0]);
        string rootName = Str(root.Rows[0][3]);
        if (Str(root.Rows[0][1]) != "p")
        {
            throw new CallFailedException(
                WrongObjectType,
                $"\"{rootName}\" is not a partitioned table",
                "kmersearch_parallel_create_index builds one index per partition of a partitioned table.",
                $"Partition it first, e.g. with kmersearch_partition_table('{table.Replace("'", "''", StringComparison.Ordinal)}', 4), or use CREATE INDEX.");
        }

        // 2. The column: must exist and be DNA2 or DNA4.
        SpiResult attribute = await QueryAsync(context,
            """
            SELECT a.attnum::integer, t.typname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid
              FROM pg_catalog.pg_attribute a
              JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
             WHERE a.attrelid = $1 AND a.attname::text = $2 AND a.attnum > 0 AND NOT a.attisdropped
            """, [rootOid, column], ["oid", "text"], cancellationToken).ConfigureAwait(false);
        if (attribute.Rows.Count == 0)
        {
            throw new CallFailedException(UndefinedColumn, $"column \"{column}\" of relation \"{rootName}\" does not exist");
        }

        long attnum = Long(attribute.Rows[0][0]);
        string typeName = Str(attribute.Rows[0][1]);
        string typeText = Str(attribute.Rows[0][2]);
        long typeOid = Long(attribute.Rows[0][3]);
        string opclassName = typeName is "dna2" or "dna4"
            ? ParallelIndexNames.OperatorClass(typeName, settings.KmerSize, settings.OccurBitlen)
            : "";
        SpiResult opclass = await QueryAsync(context,
            """
            SELECT oc.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(oc.opcname)
              FROM pg_catalog.pg_opclass oc
              JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod AND am.amname = 'gin'
              JOIN pg_catalog.pg_namespace n ON n.oid = oc.opcnamespace
             WHERE oc.opcname = $1 AND oc.opcintype = $2
            """, [opclassName, typeOid], ["text", "oid"], cancellationToken).ConfigureAwait(false);
        if (opclass.Rows.Count == 0)
        {
            throw new CallFailedException(
                WrongObjectType,
                $"column \"{column}\" of relation \"{rootName}\" is of type {typeText}, not DNA2 or DNA4",
                null,
                "k-mer indexes are built on DNA2 or DNA4 columns.");
        }

        long opclassOid = Long(opclass.Rows[0][0]);
        string opclassSql = Str(opclass.Rows[0][1]);

        // 3. The tablespace: must exist, take relations, and be usable by the caller.
        string? tablespaceClause = null;
        long? tablespaceOid = null;
        if (tablespace is not null)
        {
            SpiResult space = await QueryAsync(context,
                """
                SELECT s.oid, s.oid = d.dattablespace, pg_catalog.has_tablespace_privilege(s.oid, 'CREATE')
                  FROM pg_catalog.pg_tablespace s, pg_catalog.pg_database d
                 WHERE s.spcname = $1 AND d.datname = pg_catalog.current_database()
                """, [tablespace], ["text"], cancellationToken).ConfigureAwait(false);
            if (space.Rows.Count == 0)
            {
                throw new CallFailedException(UndefinedObject, $"tablespace \"{tablespace}\" does not exist");
            }

            bool isDefault = Bool(space.Rows[0][1]);
            if (tablespace == "pg_global")
            {
                throw new CallFailedException(InvalidParameterValue, "only shared relations can be placed in pg_global tablespace");
            }

            if (!isDefault && !Bool(space.Rows[0][2]))
            {
                throw new CallFailedException(InsufficientPrivilege, $"permission denied for tablespace {tablespace}");
            }

            // A partitioned index may not name the database's default tablespace; every index goes there anyway.
            tablespaceClause = isDefault ? null : tablespace;
            tablespaceOid = isDefault ? 0 : Long(space.Rows[0][0]);
        }

        // 4. The partition tree, with ownership (CREATE INDEX needs it) and sizes. Read from
        //    pg_inherits rather than pg_partition_tree(), which locks every partition: a
        //    partition another session has locked must fail its own build, not stop the call.
        SpiResult tree = await QueryAsync(context,
            """
            WITH RECURSIVE tree(relid, parentrelid, level) AS (
                SELECT $1::pg_catalog.oid, NULL::pg_catalog.oid, 0
              UNION ALL
                SELECT i.inhrelid, i.inhparent, t.level + 1
                  FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.relid
                 WHERE NOT i.inhdetachpending
            )
            SELECT t.relid, t.parentrelid, t.level, c.relkind::text, n.nspname::text, c.relname::text,
                   pg_catalog.pg_has_role(c.relowner, 'USAGE'), c.relpages::bigint
              FROM tree t
              JOIN pg_catalog.pg_class c ON c.oid = t.relid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             ORDER BY t.level, t.relid
            """, [rootOid], ["oid"], cancellationToken).ConfigureAwait(false);
        var nodes = new List<ParallelIndexNode>();
        foreach (IReadOnlyList<object?> row in tree.Rows)
        {
            string kind = Str(row[3]);
            string name = Str(row[5]);
            if (!Bool(row[6]))
            {
                throw new CallFailedException(InsufficientPrivilege, $"must be owner of table {name}");
            }

            if (kind == "f")
            {
                throw new CallFailedException(
                    FeatureNotSupported,
                    $"cannot create index on foreign table \"{name}\"",
                    $"\"{name}\" is a partition of \"{rootName}\".");
            }

            bool isLeaf = kind != "p";
            nodes.Add(new ParallelIndexNode(
                Long(row[0]),
                row[1] is null ? null : Long(row[1]),
                (int)Long(row[2]),
                isLeaf,
                Str(row[4]),
                name,
                ParallelIndexNames.IndexName(name, column),
                Long(row[7])));
        }

        ParallelIndexNode rootNode = nodes.Single(n => n.Oid == rootOid);
        List<ParallelIndexNode> leaves = [.. nodes.Where(n => n.IsLeaf)];

        // Long names cut to 63 bytes can come out the same.
        if (nodes.GroupBy(n => (n.Schema, n.IndexName)).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            throw new CallFailedException(
                DuplicateTable,
                $"the indexes of \"{clash.First().Name}\" and \"{clash.Skip(1).First().Name}\" would both be named \"{clash.Key.IndexName}\"",
                $"Index names are <partition>_<column>{ParallelIndexNames.Suffix}, cut to {ParallelIndexNames.MaxIdentifierBytes} bytes.",
                "Rename the partitions so that their names differ within the first bytes.");
        }

        // 5. Locks of the calling transaction that the builds' SHARE locks would wait for (forever:
        //    the caller waits for the builds, not for a lock, so no deadlock would be detected).
        if (leaves.Count > 0)
        {
            SpiResult locks = await QueryAsync(context,
                """
                SELECT l.relation, l.mode
                  FROM pg_catalog.pg_locks l
                 WHERE l.pid = $1 AND l.locktype = 'relation' AND l.granted
                   AND l.relation = ANY ($2) AND l.mode = ANY ($3)
                """,
                [(long)context.Call.Context.BackendPid, leaves.Select(l => (object?)l.Oid).ToArray(), ConflictsWithShare],
                ["int4", "oid[]", "text[]"],
                cancellationToken).ConfigureAwait(false);
            if (locks.Rows.Count > 0)
            {
                long locked = Long(locks.Rows[0][0]);
                string mode = Str(locks.Rows[0][1]);
                ParallelIndexNode partition = leaves.First(l => l.Oid == locked);
                throw new CallFailedException(
                    ObjectInUse,
                    $"the calling transaction holds {mode} on partition \"{partition.Name}\", which the index builds would wait for",
                    string.Create(CultureInfo.InvariantCulture,
                        $"kmersearch_parallel_create_index builds each partition's index in its own session, which must take a SHARE lock; {locks.Rows.Count} partition lock(s) of this transaction conflict with it (rows written, LOCK TABLE, DDL or a table created in this transaction)."),
                    "Call it in a transaction that has not locked or changed the table's partitions, e.g. after COMMIT.");
            }
        }

        // 6. Index names: free, or (a leaf's) a matching index left by an earlier call, which is reused.
        SpiResult extension = await QueryAsync(context,
            """
            SELECT n.nspname::text
              FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
             WHERE e.extname = 'pg_kmersearch'
            """, [], [], cancellationToken).ConfigureAwait(false);
        string infoTable = extension.Rows.Count == 0
            ? "kmersearch_index_info"
            : ParallelIndexNames.Qualified(Str(extension.Rows[0][0]), "kmersearch_index_info");
        SpiResult taken = await QueryAsync(context,
            $"""
            SELECT w.relid, c.relname::text, w.isleaf AND c.relkind = 'i' AND i.indrelid = w.relid AND i.indisvalid AND i.indisready
                   AND i.indnatts = 1 AND i.indkey[0] = $5 AND i.indclass[0] = $6
                   AND i.indexprs IS NULL AND i.indpred IS NULL AND NOT c.relispartition
                   AND c.relam = (SELECT oid FROM pg_catalog.pg_am WHERE amname = 'gin')
                   AND ($7::oid IS NULL OR c.reltablespace = $7)
                   AND EXISTS (SELECT 1 FROM {infoTable} ii
                                WHERE ii.index_oid = c.oid AND ii.kmer_size = $8 AND ii.occur_bitlen = $9
                                  AND ii.preclude_highfreq_kmer = $10
                                  AND (NOT $10 OR (abs(ii.max_appearance_rate - $11) <= 0.0001 AND ii.max_appearance_nrow = $12))),
                   c.relkind IN ('i', 'I') AND i.indrelid = w.relid, coalesce(c.relispartition, false)
              FROM unnest($1::oid[], $2::text[], $3::text[], $4::boolean[]) AS w(relid, nspname, idxname, isleaf)
              JOIN pg_catalog.pg_namespace n ON n.nspname = w.nspname
              JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname::text = w.idxname
              LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
            """,
            [
                nodes.Select(n => (object?)n.Oid).ToArray(),
                nodes.Select(n => (object?)n.Schema).ToArray(),
                nodes.Select(n => (object?)n.IndexName).ToArray(),
                nodes.Select(n => (object?)n.IsLeaf).ToArray(),
                attnum,
                opclassOid,
                tablespaceOid,
                (long)settings.KmerSize,
                (long)settings.OccurBitlen,
                settings.PrecludeHighfreqKmer,
                settings.MaxAppearanceRate,
                (long)settings.MaxAppearanceNrow,
            ],
            ["oid[]", "text[]", "text[]", "boolean[]", "int2", "oid", "oid", "int4", "int4", "boolean", "float8", "int4"],
            cancellationToken).ConfigureAwait(false);
        var reusable = new HashSet<long>();
        var conflicts = new List<(ParallelIndexNode Node, bool OnThisRelation, bool Attached)>();
        foreach (IReadOnlyList<object?> row in taken.Rows)
        {
            ParallelIndexNode node = nodes.First(n => n.Oid == Long(row[0]));
            if (row[2] is true)
            {
                reusable.Add(node.Oid);
            }
            else
            {
                conflicts.Add((node, row[3] is true, row[4] is true));
            }
        }

        // The partitioned table's own index first: most often the table is simply indexed already.
        if (conflicts.OrderBy(c => c.Node.Level).ThenBy(c => c.Node.Oid).FirstOrDefault() is { Node: not null } conflict)
        {
            ParallelIndexNode node = conflict.Node;
            string detail = (node.IsLeaf, conflict.OnThisRelation, conflict.Attached) switch
            {
                (false, true, _) => $"\"{node.Name}\" already has an index named \"{node.IndexName}\", the name kmersearch_parallel_create_index gives its index.",
                (true, true, true) => $"The index \"{node.IndexName}\" of partition \"{node.Name}\" is already attached to a partitioned index.",
                (true, true, false) => $"Partition \"{node.Name}\" already has an index named \"{node.IndexName}\" that is not a valid k-mer index of column \"{column}\" built with {opclassSql} and the current k-mer settings, so it cannot be kept.",
                _ => $"kmersearch_parallel_create_index names the index of \"{node.Name}\" \"{node.IndexName}\"; another relation has that name.",
            };
            throw new CallFailedException(
                DuplicateTable,
                $"relation \"{node.IndexName}\" already exists",
                detail,
                $"Drop or rename \"{node.IndexName}\" in schema \"{node.Schema}\" (DROP INDEX on the partitioned table's index drops its partitions' indexes too).");
        }

        return new ParallelIndexPlan(rootNode, column, typeName, opclassSql, tablespaceClause, nodes, reusable);
    }

    private static ValueTask<SpiResult> QueryAsync(
        HandlerContext context, string sql, IReadOnlyList<object?> parameters, IReadOnlyList<string> types, CancellationToken cancellationToken) =>
        context.ExecuteSpiAsync(sql, parameters, types, readOnly: true, cancellationToken);

    private static string? Text(IReadOnlyList<object?> args, int index, string name) => index >= args.Count ? null : args[index] switch
    {
        null => null,
        string text => text,
        object other => throw new CallFailedException(InvalidParameterValue, $"{name} must be text, not {other.GetType().Name}"),
    };

    private static CallFailedException NullArgument(string name) =>
        new(NullValueNotAllowed, $"{name} must not be NULL", null, "kmersearch_parallel_create_index(table_name, column_name [, tablespace_name]) needs a table and a column.");

    internal static long Long(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    internal static string Str(object? value) => value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    internal static bool Bool(object? value) => value is true;
}
