using System.Globalization;
using Kmer.Core;
using Kmer.Protocol;

namespace Kmer.Worker.Analysis;

/// <summary>
/// Everything the analysis and its undo ask of the caller's session, as SPI
/// statements: they run in the caller's transaction, as the caller, so a
/// ROLLBACK undoes the writes and the caller's privileges apply.
/// </summary>
internal static class AnalysisCatalog
{
    /// <summary>SQLSTATE undefined_table.</summary>
    public const string UndefinedTable = "42P01";

    /// <summary>SQLSTATE undefined_column.</summary>
    public const string UndefinedColumn = "42703";

    /// <summary>SQLSTATE invalid_column_reference: an attribute number out of range.</summary>
    public const string InvalidColumnReference = "42P10";

    /// <summary>SQLSTATE datatype_mismatch: the column is not DNA2 or DNA4.</summary>
    public const string DatatypeMismatch = "42804";

    /// <summary>SQLSTATE wrong_object_type: the relation is not a table.</summary>
    public const string WrongObjectType = "42809";

    /// <summary>SQLSTATE feature_not_supported.</summary>
    public const string FeatureNotSupported = "0A000";

    /// <summary>SQLSTATE object_not_in_prerequisite_state.</summary>
    public const string ObjectNotInPrerequisiteState = "55000";

    /// <summary>SQLSTATE object_in_use: this transaction holds the table in ACCESS EXCLUSIVE mode.</summary>
    public const string ObjectInUse = "55006";

    /// <summary>SQLSTATE duplicate_object: an analysis already exists (Q9).</summary>
    public const string DuplicateObject = "42710";

    /// <summary>The system table of the high-frequency keys.</summary>
    public const string HighfreqKmerTable = "kmersearch_highfreq_kmer";

    /// <summary>The system table of the analyses.</summary>
    public const string HighfreqMetaTable = "kmersearch_highfreq_kmer_meta";

    /// <summary>The system table of the GIN indexes' high-frequency filtering.</summary>
    public const string GinIndexMetaTable = "kmersearch_gin_index_meta";

    private const string RelationColumns =
        "c.oid, n.nspname::text, c.relname::text, c.relkind::text, c.relpersistence::text "
        + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace";

    private const string LeafColumns =
        "c.oid, n.nspname::text, c.relname::text, c.relkind::text, "
        + "pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int8, "
        + "c.reltuples::float8, c.relpages::int8, a.atttypid, c.relpersistence::text";

    private static readonly string[] OidType = ["oid"];
    private static readonly string[] TextType = ["text"];

    /// <summary>The extension's schema and the OIDs of its types.</summary>
    /// <exception cref="CallFailedException">55000: the extension is not created in the caller's database.</exception>
    public static async Task<ExtensionInfo> ExtensionAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        SpiResult result = await context.ExecuteSpiAsync(
            "SELECT n.nspname::text, "
            + "(SELECT t.oid FROM pg_catalog.pg_type t WHERE t.typnamespace = n.oid AND t.typname = 'dna2'), "
            + "(SELECT t.oid FROM pg_catalog.pg_type t WHERE t.typnamespace = n.oid AND t.typname = 'dna4') "
            + "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
            + "WHERE e.extname = 'pg_kmersearch'",
            readOnly: true,
            cancellationToken).ConfigureAwait(false);
        if (result.Rows.Count == 0)
        {
            throw new CallFailedException(
                ObjectNotInPrerequisiteState,
                "extension \"pg_kmersearch\" is not installed in this database",
                hint: "Run CREATE EXTENSION pg_kmersearch.");
        }

        return new ExtensionInfo(
            SpiValues.Text(result, 0, 0),
            SpiValues.NullableInt64(result, 0, 1) ?? 0,
            SpiValues.NullableInt64(result, 0, 2) ?? 0);
    }

    /// <summary>
    /// Resolves the table argument: an all-digits, non-zero value is an OID;
    /// otherwise first a relation of exactly that name visible through the
    /// caller's <c>search_path</c> (case-sensitive, unquoted), else the
    /// argument read as an SQL name (<c>schema.table</c>, quoted parts).
    /// </summary>
    /// <exception cref="CallFailedException">42P01: no such relation.</exception>
    public static async Task<ResolvedTable> ResolveTableAsync(HandlerContext context, string argument, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(argument);
        if (argument.Length > 0 && argument.All(char.IsAsciiDigit))
        {
            if (ulong.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out ulong oid) && oid is > 0 and <= uint.MaxValue)
            {
                return await RelationAsync(context, "c.oid = $1", [(long)oid], OidType, cancellationToken).ConfigureAwait(false)
                    ?? throw new CallFailedException(
                        UndefinedTable,
                        string.Create(CultureInfo.InvariantCulture, $"relation with OID {oid} does not exist"));
            }
        }

        ResolvedTable? table = argument.Length == 0
            ? null
            : await VisibleAsync(context, argument, cancellationToken).ConfigureAwait(false);
        if (table is null && QualifiedName.TryParse(argument, out IReadOnlyList<string> parts))
        {
            table = parts.Count switch
            {
                1 when parts[0] != argument => await VisibleAsync(context, parts[0], cancellationToken).ConfigureAwait(false),
                2 => await InSchemaAsync(context, parts[0], parts[1], cancellationToken).ConfigureAwait(false),
                3 when parts[0] == context.Call.Context.Database => await InSchemaAsync(context, parts[1], parts[2], cancellationToken).ConfigureAwait(false),
                _ => null,
            };
        }

        return table ?? throw new CallFailedException(UndefinedTable, $"relation \"{argument}\" does not exist");
    }

    /// <summary>
    /// Resolves the column argument on <paramref name="table"/>: a positive
    /// integer is an attribute number (1 to the relation's number of
    /// attributes, dropped ones included), anything else an exact column name.
    /// The column must be of the extension's type <c>dna2</c> or <c>dna4</c>.
    /// </summary>
    /// <exception cref="CallFailedException">42P10, 42703 or 42804.</exception>
    public static async Task<ResolvedColumn> ResolveColumnAsync(
        HandlerContext context, ResolvedTable table, string argument, ExtensionInfo extension, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(argument);
        ArgumentNullException.ThrowIfNull(extension);
        SpiResult result = await context.ExecuteSpiAsync(
            "SELECT a.attnum::int4, a.attname::text, a.atttypid, a.attisdropped, pg_catalog.format_type(a.atttypid, a.atttypmod) "
            + "FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 ORDER BY a.attnum",
            [table.Oid],
            OidType,
            readOnly: true,
            cancellationToken).ConfigureAwait(false);

        int row = -1;
        if (argument.Length > 0 && argument.All(char.IsAsciiDigit) && argument.TrimStart('0').Length > 0)
        {
            long natts = result.Rows.Count == 0 ? 0 : SpiValues.Int64(result, result.Rows.Count - 1, 0);
            if (!long.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out long attnum) || attnum > natts)
            {
                throw new CallFailedException(
                    InvalidColumnReference,
                    $"column number {argument} is out of range for relation \"{table.Display}\"",
                    string.Create(CultureInfo.InvariantCulture, $"The relation has {natts} column(s) (dropped ones included)."));
            }

            for (int i = 0; i < result.Rows.Count; i++)
            {
                if (SpiValues.Int64(result, i, 0) == attnum)
                {
                    row = i;
                }
            }

            if (row < 0 || SpiValues.Boolean(result, row, 3))
            {
                throw new CallFailedException(
                    UndefinedColumn,
                    string.Create(CultureInfo.InvariantCulture, $"column number {attnum} of relation \"{table.Display}\" has been dropped"));
            }
        }
        else
        {
            for (int i = 0; i < result.Rows.Count && row < 0; i++)
            {
                if (!SpiValues.Boolean(result, i, 3) && SpiValues.Text(result, i, 1) == argument)
                {
                    row = i;
                }
            }

            if (row < 0)
            {
                throw new CallFailedException(UndefinedColumn, $"column \"{argument}\" of relation \"{table.Display}\" does not exist");
            }
        }

        string name = SpiValues.Text(result, row, 1);
        DnaAlphabet alphabet = extension.AlphabetOf(SpiValues.Int64(result, row, 2))
            ?? throw new CallFailedException(
                DatatypeMismatch,
                $"column \"{name}\" of relation \"{table.Display}\" is of type {SpiValues.Text(result, row, 4)}, not dna2 or dna4",
                hint: "The high-frequency k-mer analysis reads DNA2 and DNA4 columns only.");
        return new ResolvedColumn(name, alphabet);
    }

    /// <summary>
    /// The relations to scan: the table itself, or every leaf partition of a
    /// partitioned table (any depth), with their sizes and statistics. The
    /// column is looked up by name in every leaf (attribute numbers may differ).
    /// </summary>
    /// <exception cref="CallFailedException">
    /// 42809 the relation is not a table; 0A000 a temporary table or a foreign
    /// partition; 55000 a partitioned table without partitions; 42703 or 42804
    /// a leaf without the column or with another type.
    /// </exception>
    public static async Task<IReadOnlyList<Leaf>> ListLeavesAsync(
        HandlerContext context, ResolvedTable table, ResolvedColumn column, ExtensionInfo extension, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(extension);
        CheckScannable(table);
        string sql = table.IsPartitioned
            ? $"SELECT {LeafColumns} "
                + "FROM pg_catalog.pg_partition_tree($1::pg_catalog.regclass) WITH ORDINALITY AS t(relid, parentrelid, isleaf, level, ord) "
                + "JOIN pg_catalog.pg_class c ON c.oid = t.relid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped "
                + "WHERE t.isleaf ORDER BY t.ord"
            : $"SELECT {LeafColumns} "
                + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped "
                + "WHERE c.oid = $1";
        SpiResult result = await context.ExecuteSpiAsync(sql, [table.Oid, column.Name], ["oid", "text"], readOnly: true, cancellationToken).ConfigureAwait(false);
        if (result.Rows.Count == 0)
        {
            throw table.IsPartitioned
                ? new CallFailedException(
                    ObjectNotInPrerequisiteState,
                    $"partitioned table \"{table.Display}\" has no partitions",
                    hint: "Attach or create partitions before analysing it.")
                : new CallFailedException(UndefinedTable, $"relation \"{table.Display}\" does not exist");
        }

        var leaves = new List<Leaf>(result.Rows.Count);
        for (int i = 0; i < result.Rows.Count; i++)
        {
            var leaf = new Leaf(
                SpiValues.Int64(result, i, 0),
                SpiValues.Text(result, i, 1),
                SpiValues.Text(result, i, 2),
                SpiValues.Int64(result, i, 4),
                SpiValues.Double(result, i, 5),
                SpiValues.Int64(result, i, 6));
            string kind = SpiValues.Text(result, i, 3);
            if (kind != "r")
            {
                throw new CallFailedException(
                    FeatureNotSupported,
                    $"partition \"{leaf.Schema}.{leaf.Name}\" of \"{table.Display}\" cannot be analysed: it is not a plain table (relkind {kind})",
                    hint: "The analysis reads the heap of every leaf partition; foreign partitions cannot be read that way.");
            }

            if (SpiValues.Text(result, i, 8) == "t")
            {
                throw TemporaryTable(leaf.Schema + "." + leaf.Name);
            }

            long? type = SpiValues.NullableInt64(result, i, 7);
            if (type is null)
            {
                throw new CallFailedException(UndefinedColumn, $"column \"{column.Name}\" of relation \"{leaf.Schema}.{leaf.Name}\" does not exist");
            }

            if (!ReferenceEquals(extension.AlphabetOf(type.Value), column.Alphabet))
            {
                throw new CallFailedException(
                    DatatypeMismatch,
                    $"column \"{column.Name}\" of partition \"{leaf.Schema}.{leaf.Name}\" is not of type {column.Alphabet.Name.ToLowerInvariant()} like the table's");
            }

            leaves.Add(leaf);
        }

        return leaves;
    }

    /// <summary>
    /// Refuses a table this transaction holds in ACCESS EXCLUSIVE mode (it
    /// created, truncated or altered it): the readers' sessions would wait for
    /// that lock until the caller's transaction ends, which it cannot while it
    /// waits for them.
    /// </summary>
    /// <exception cref="CallFailedException">55006.</exception>
    public static async Task CheckNotHeldExclusivelyAsync(
        HandlerContext context, ResolvedTable table, IReadOnlyList<Leaf> leaves, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(leaves);
        long[] oids = [table.Oid, .. leaves.Select(l => l.Oid)];
        SpiResult result = await context.ExecuteSpiAsync(
            "SELECT c.relname::text FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_class c ON c.oid = l.relation "
            + "WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted "
            + "AND l.mode = 'AccessExclusiveLock' AND l.relation = ANY ($1::oid[]) LIMIT 1",
            [oids],
            ["oid[]"],
            readOnly: true,
            cancellationToken).ConfigureAwait(false);
        if (result.Rows.Count > 0)
        {
            throw new CallFailedException(
                ObjectInUse,
                $"relation \"{SpiValues.Text(result, 0, 0)}\" is locked in ACCESS EXCLUSIVE mode by this transaction",
                "The transaction created, truncated or altered it; the worker pool's sessions, which read the table, would wait for that lock.",
                "Commit the transaction first, then run the analysis.");
        }
    }

    /// <summary>
    /// <c>LOCK TABLE … IN EXCLUSIVE MODE</c> in the caller's transaction
    /// (partitions included): other sessions may read but not write the table
    /// until the caller's transaction ends.
    /// </summary>
    public static async Task LockAsync(HandlerContext context, ResolvedTable table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(table);
        await context.ExecuteSpiAsync($"LOCK TABLE {table.Quoted} IN EXCLUSIVE MODE", readOnly: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether an analysis of this table, column, k and b is recorded. Runs
    /// read-write, so in READ COMMITTED it takes a new snapshot and sees an
    /// analysis another session committed while this one waited for the lock.
    /// </summary>
    public static async Task<bool> AnalysisExistsAsync(
        HandlerContext context, ExtensionInfo extension, ResolvedTable table, ResolvedColumn column, KmerSettings kmer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(extension);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(column);
        SpiResult result = await context.ExecuteSpiAsync(
            $"SELECT EXISTS (SELECT 1 FROM {extension.Table(HighfreqMetaTable)} "
            + "WHERE table_oid = $1 AND column_name = $2 AND kmer_size = $3 AND occur_bitlen = $4)",
            [table.Oid, column.Name, (long)kmer.KmerSize, (long)kmer.OccurBitlen],
            ["oid", "text", "int4", "int4"],
            readOnly: false,
            cancellationToken).ConfigureAwait(false);
        return SpiValues.Boolean(result, 0, 0);
    }

    /// <summary>
    /// Upserts one batch of high-frequency keys (<c>detection_reason</c>
    /// <c>threshold</c>; on conflict only <c>appearance_nrow</c> changes).
    /// Keys are stored as the bigint with the same 64 bits (two's complement),
    /// as the extension reads them back.
    /// </summary>
    /// <returns>The rows inserted or updated.</returns>
    public static async Task<long> WriteKeysAsync(
        HandlerContext context,
        ExtensionInfo extension,
        ResolvedTable table,
        ResolvedColumn column,
        KmerSettings kmer,
        long[] keys,
        long[] counts,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(extension);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(column);
        SpiResult result = await context.ExecuteSpiAsync(
            $"INSERT INTO {extension.Table(HighfreqKmerTable)} "
            + "(table_oid, column_name, kmer_size, occur_bitlen, uintkey, appearance_nrow, detection_reason) "
            + "SELECT $1, $2, $3, $4, u.key, u.nrow, 'threshold' FROM ROWS FROM (pg_catalog.unnest($5::int8[]), pg_catalog.unnest($6::int8[])) AS u(key, nrow) "
            + "ON CONFLICT (table_oid, column_name, kmer_size, occur_bitlen, uintkey) DO UPDATE SET appearance_nrow = EXCLUDED.appearance_nrow",
            [table.Oid, column.Name, (long)kmer.KmerSize, (long)kmer.OccurBitlen, keys, counts],
            ["oid", "text", "int4", "int4", "int8[]", "int8[]"],
            readOnly: false,
            cancellationToken).ConfigureAwait(false);
        return result.RowsAffected;
    }

    /// <summary>
    /// Upserts the analysis' row of <c>kmersearch_highfreq_kmer_meta</c>: the
    /// rate as the setting printed with 6 decimals then read as real, the
    /// <c>max_appearance_nrow</c> setting (not the effective threshold).
    /// </summary>
    public static async Task WriteMetaAsync(
        HandlerContext context, ExtensionInfo extension, ResolvedTable table, ResolvedColumn column, AnalysisSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(extension);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(settings);
        await context.ExecuteSpiAsync(
            $"INSERT INTO {extension.Table(HighfreqMetaTable)} "
            + "(table_oid, column_name, kmer_size, occur_bitlen, max_appearance_rate, max_appearance_nrow) "
            + "VALUES ($1, $2, $3, $4, CAST($5 AS real), $6) "
            + "ON CONFLICT (table_oid, column_name, kmer_size, occur_bitlen) DO UPDATE SET "
            + "max_appearance_rate = EXCLUDED.max_appearance_rate, max_appearance_nrow = EXCLUDED.max_appearance_nrow, analysis_timestamp = pg_catalog.now()",
            [
                table.Oid,
                column.Name,
                (long)settings.Kmer.KmerSize,
                (long)settings.Kmer.OccurBitlen,
                settings.MaxAppearanceRate.ToString("F6", CultureInfo.InvariantCulture),
                (long)settings.MaxAppearanceNrow,
            ],
            ["oid", "text", "int4", "int4", "text", "int4"],
            readOnly: false,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes every analysis of the table and column (all k and b): the rows
    /// of <c>kmersearch_highfreq_kmer</c>, <c>kmersearch_highfreq_kmer_meta</c>
    /// and <c>kmersearch_gin_index_meta</c>, in one statement.
    /// </summary>
    /// <returns>The meta rows and the key rows deleted.</returns>
    public static async Task<(long Analyses, long Keys)> UndoAsync(
        HandlerContext context, ExtensionInfo extension, ResolvedTable table, string column, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(extension);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(column);
        SpiResult result = await context.ExecuteSpiAsync(
            $"WITH k AS (DELETE FROM {extension.Table(HighfreqKmerTable)} WHERE table_oid = $1 AND column_name = $2 RETURNING 1), "
            + $"m AS (DELETE FROM {extension.Table(HighfreqMetaTable)} WHERE table_oid = $1 AND column_name = $2 RETURNING 1), "
            + $"g AS (DELETE FROM {extension.Table(GinIndexMetaTable)} WHERE table_oid = $1 AND column_name = $2 RETURNING 1) "
            + "SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM k), (SELECT count(*) FROM g)",
            [table.Oid, column],
            ["oid", "text"],
            readOnly: false,
            cancellationToken).ConfigureAwait(false);
        return (SpiValues.Int64(result, 0, 0), SpiValues.Int64(result, 0, 1));
    }

    /// <summary>Refuses relations the analysis cannot scan: anything but a table or a partitioned table, and temporary tables.</summary>
    /// <exception cref="CallFailedException">42809 or 0A000.</exception>
    public static void CheckScannable(ResolvedTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Kind is not ('r' or 'p'))
        {
            throw new CallFailedException(
                WrongObjectType,
                $"\"{table.Display}\" is not a table",
                string.Create(CultureInfo.InvariantCulture, $"Its relkind is '{table.Kind}'; only tables and partitioned tables can be analysed."));
        }

        if (table.Persistence == 't')
        {
            throw TemporaryTable(table.Display);
        }
    }

    private static CallFailedException TemporaryTable(string name) => new(
        FeatureNotSupported,
        $"temporary table \"{name}\" cannot be analysed",
        "The worker pool reads the table from its own sessions, which cannot see another session's temporary tables.",
        "Copy the rows into an ordinary (or unlogged) table and analyse that.");

    private static Task<ResolvedTable?> VisibleAsync(HandlerContext context, string name, CancellationToken cancellationToken) =>
        RelationAsync(context, "c.relname = $1 AND pg_catalog.pg_table_is_visible(c.oid)", [name], TextType, cancellationToken);

    private static Task<ResolvedTable?> InSchemaAsync(HandlerContext context, string schema, string name, CancellationToken cancellationToken) =>
        RelationAsync(context, "n.nspname = $1 AND c.relname = $2", [schema, name], ["text", "text"], cancellationToken);

    private static async Task<ResolvedTable?> RelationAsync(
        HandlerContext context, string where, IReadOnlyList<object?> parameters, IReadOnlyList<string> types, CancellationToken cancellationToken)
    {
        SpiResult result = await context.ExecuteSpiAsync($"SELECT {RelationColumns} WHERE {where}", parameters, types, readOnly: true, cancellationToken)
            .ConfigureAwait(false);
        if (result.Rows.Count == 0)
        {
            return null;
        }

        return new ResolvedTable(
            SpiValues.Int64(result, 0, 0),
            SpiValues.Text(result, 0, 1),
            SpiValues.Text(result, 0, 2),
            SpiValues.Text(result, 0, 3)[0],
            SpiValues.Text(result, 0, 4)[0]);
    }
}
