using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Kmer.Protocol;

namespace Kmer.Worker.Partitioning;

/// <summary>
/// Carries out a <see cref="RebuildPlan"/>: builds the new table beside the
/// old one, moves the rows in batches, recreates keys, indexes, foreign keys,
/// statistics, grants and comments, moves serial sequences and analysis rows
/// over, drops the old table and gives the new one its name. Every step is
/// an SPI statement in the caller's transaction, so an error or a cancel at
/// any point leaves nothing behind: the transaction's rollback undoes it all.
/// </summary>
internal sealed partial class TableRebuild
{
    /// <summary>The least time between two progress NOTICEs.</summary>
    internal static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(3);

    /// <summary>Share of the job's progress that the row migration takes (the rest is indexes and the end).</summary>
    private const double MigrationShare = 0.9;

    private const string DefaultTablespaceSetting = "default_tablespace";

    private readonly SpiSession _spi;
    private readonly RebuildPlan _plan;
    private readonly TimeProvider _time;

    /// <summary>Settings changed with <c>set_config(…, true)</c>, and their values before.</summary>
    private readonly Dictionary<string, string> _savedSettings = new(StringComparer.Ordinal);

    private long _newOid;

    public TableRebuild(SpiSession spi, RebuildPlan plan, TimeProvider time)
    {
        _spi = spi;
        _plan = plan;
        _time = time;
    }

    private TableDefinition Source => _plan.Source;

    private string Target => _plan.QualifiedTemp;

    /// <summary>Runs the plan; returns the number of rows moved.</summary>
    public async Task<long> RunAsync()
    {
        await CreateTableAsync().ConfigureAwait(false);
        await ApplyColumnSettingsAsync().ConfigureAwait(false);
        foreach (ConstraintDefinition check in Source.Constraints.Where(c => c.Type == 'c' && c.Validated))
        {
            await AddConstraintAsync(check, check.Name).ConfigureAwait(false);
        }

        if (_plan.Partitioned)
        {
            await CreatePartitionsAsync().ConfigureAwait(false);
        }

        long moved = await MigrateAsync().ConfigureAwait(false);
        await SyncIdentitySequencesAsync().ConfigureAwait(false);

        // NOT VALID checks after the rows, so that rows the old table kept despite them move too.
        foreach (ConstraintDefinition check in Source.Constraints.Where(c => c.Type == 'c' && !c.Validated))
        {
            await AddConstraintAsync(check, check.Name).ConfigureAwait(false);
        }

        foreach (ConstraintDefinition key in Source.Constraints.Where(c => c.Type is 'p' or 'u'))
        {
            await UseIndexTablespaceAsync(key.IndexTablespace).ConfigureAwait(false);
            await AddConstraintAsync(key, _plan.ConstraintTempNames[key.Name]).ConfigureAwait(false);
        }

        foreach (IndexDefinition index in Source.Indexes)
        {
            await CreateIndexAsync(index).ConfigureAwait(false);
        }

        foreach (ConstraintDefinition foreignKey in Source.Constraints.Where(c => c.Type == 'f'))
        {
            await AddConstraintAsync(foreignKey, foreignKey.Name).ConfigureAwait(false);
        }

        await CreateStatisticsAsync().ConfigureAwait(false);
        await ApplyTableSettingsAsync().ConfigureAwait(false);
        await CopyPrivilegesAsync().ConfigureAwait(false);
        foreach (OwnedSequence sequence in Source.OwnedSequences)
        {
            await ExecAsync($"ALTER SEQUENCE {sequence.QualifiedName} OWNED BY {Target}.{SqlText.Ident(sequence.Column)}").ConfigureAwait(false);
        }

        await MoveAnalysisRowsAsync().ConfigureAwait(false);
        await ExecAsync($"DROP TABLE {Source.QualifiedName}").ConfigureAwait(false);
        await RenameAsync().ConfigureAwait(false);
        await CopyCommentsAsync().ConfigureAwait(false);
        await RestoreSettingsAsync().ConfigureAwait(false);
        return moved;
    }

    private async Task CreateTableAsync()
    {
        var sql = new StringBuilder("CREATE ");
        if (_plan.Unlogged && !_plan.Partitioned)
        {
            sql.Append("UNLOGGED ");
        }

        sql.Append("TABLE ").Append(Target).Append(" (\n    ")
            .AppendJoin(",\n    ", Source.Columns.Select(ColumnSql))
            .Append("\n)");
        if (_plan.Partitioned)
        {
            sql.Append(" PARTITION BY HASH (").Append(_plan.PartitionColumn!.Quoted).Append(')');

            // The parent holds no rows; naming the database's default tablespace for it is an error.
            if (_plan.Tablespace is string ts && ts != _plan.DatabaseTablespace)
            {
                sql.Append(" TABLESPACE ").Append(SqlText.Ident(ts));
            }
        }
        else
        {
            AppendStorageClauses(sql);
        }

        await ExecAsync(sql.ToString()).ConfigureAwait(false);
        SpiRow row = await _spi.QuerySingleAsync("SELECT pg_catalog.to_regclass($1)::oid::int8 AS oid", SpiArg.Text(Target)).ConfigureAwait(false)
            ?? throw new InvalidOperationException("to_regclass returned no row");
        _newOid = row.Long("oid");
        await SetOwnerAsync(Target).ConfigureAwait(false);
    }

    private string ColumnSql(ColumnDefinition column)
    {
        var sql = new StringBuilder(column.Quoted).Append(' ').Append(column.TypeSql);
        if (column.Compression is string compression)
        {
            sql.Append(" COMPRESSION ").Append(compression);
        }

        if (column.CollationSql is string collation)
        {
            sql.Append(" COLLATE ").Append(collation);
        }

        if (column.GeneratedSql is string generated)
        {
            sql.Append(" GENERATED ALWAYS AS (").Append(generated).Append(") STORED");
        }
        else if (column.Identity is char identity)
        {
            SequenceDefinition sequence = column.IdentitySequence ?? throw new CallFailedException(
                PartitionErrors.InternalError, $"identity column \"{column.Name}\" of {Source.DisplayName} has no sequence");
            // The sequence's type is the column's (an AS clause here is a "redundant option").
            sql.Append(identity == 'a' ? " GENERATED ALWAYS AS IDENTITY (" : " GENERATED BY DEFAULT AS IDENTITY (")
                .Append("SEQUENCE NAME ").Append(SqlText.Qualified(sequence.Schema, _plan.SequenceTempNames[column.Name]))
                .Append(" START WITH ").Append(SqlText.Number(sequence.Start))
                .Append(" INCREMENT BY ").Append(SqlText.Number(sequence.Increment))
                .Append(" MINVALUE ").Append(SqlText.Number(sequence.Min))
                .Append(" MAXVALUE ").Append(SqlText.Number(sequence.Max))
                .Append(" CACHE ").Append(SqlText.Number(sequence.Cache))
                .Append(sequence.Cycle ? " CYCLE" : " NO CYCLE")
                .Append(')');
        }
        else if (column.DefaultSql is string defaultSql)
        {
            sql.Append(" DEFAULT ").Append(defaultSql);
        }

        if (column.NotNull)
        {
            sql.Append(" NOT NULL");
        }

        return sql.ToString();
    }

    /// <summary>USING, WITH and TABLESPACE of a relation that stores rows (a partition, or the plain table).</summary>
    private void AppendStorageClauses(StringBuilder sql)
    {
        if (_plan.AccessMethod is string method)
        {
            sql.Append(" USING ").Append(SqlText.Ident(method));
        }

        if (SqlText.WithOptions(_plan.StorageOptions) is string options)
        {
            sql.Append(' ').Append(options);
        }

        if (_plan.Tablespace is string ts)
        {
            sql.Append(" TABLESPACE ").Append(SqlText.Ident(ts));
        }
    }

    private async Task SetOwnerAsync(string relation)
    {
        if (!string.Equals(Source.Owner, _plan.CallerRole, StringComparison.Ordinal))
        {
            await ExecAsync($"ALTER TABLE {relation} OWNER TO {SqlText.Ident(Source.Owner)}").ConfigureAwait(false);
        }
    }

    private async Task ApplyColumnSettingsAsync()
    {
        var actions = new List<string>();
        foreach (ColumnDefinition column in Source.Columns)
        {
            if (column.Storage is char storage)
            {
                string mode = storage switch
                {
                    'p' => "PLAIN",
                    'e' => "EXTERNAL",
                    'm' => "MAIN",
                    'x' => "EXTENDED",
                    _ => throw new CallFailedException(PartitionErrors.InternalError, $"unknown storage mode '{storage}' of column \"{column.Name}\""),
                };
                actions.Add($"ALTER COLUMN {column.Quoted} SET STORAGE {mode}");
            }

            if (column.StatisticsTarget is int target)
            {
                actions.Add($"ALTER COLUMN {column.Quoted} SET STATISTICS {target.ToString(CultureInfo.InvariantCulture)}");
            }

            if (column.Options.Count > 0)
            {
                actions.Add($"ALTER COLUMN {column.Quoted} SET ({string.Join(", ", column.Options.Select(SqlText.Option))})");
            }
        }

        if (actions.Count > 0)
        {
            await ExecAsync($"ALTER TABLE {Target} {string.Join(", ", actions)}").ConfigureAwait(false);
        }
    }

    private async Task CreatePartitionsAsync()
    {
        int count = _plan.PartitionNames.Count;
        for (int i = 0; i < count; i++)
        {
            string partition = SqlText.Qualified(Source.Schema, _plan.PartitionNames[i]);
            var sql = new StringBuilder("CREATE ");
            if (_plan.Unlogged)
            {
                sql.Append("UNLOGGED ");
            }

            sql.Append("TABLE ").Append(partition).Append(" PARTITION OF ").Append(Target)
                .Append(CultureInfo.InvariantCulture, $" FOR VALUES WITH (MODULUS {count}, REMAINDER {i})");
            AppendStorageClauses(sql);
            await ExecAsync(sql.ToString()).ConfigureAwait(false);
            await SetOwnerAsync(partition).ConfigureAwait(false);
        }
    }

    private async Task<long> MigrateAsync()
    {
        List<ColumnDefinition> copied = [.. Source.Columns.Where(c => c.GeneratedSql is null)];
        string columns = string.Join(", ", copied.Select(c => c.Quoted));
        string overriding = copied.Any(c => c.Identity is not null) ? " OVERRIDING SYSTEM VALUE" : "";

        // Count first: progress and the final check need the totals.
        var counts = new List<(DataSource Source, long Rows, long Blocks, long BatchRows)>();
        foreach (DataSource source in _plan.Sources)
        {
            SpiRow size = await _spi.QuerySingleAsync(
                $"""
                SELECT (SELECT pg_catalog.count(*) FROM ONLY {source.QualifiedName})::int8 AS rows,
                       (pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int8)::int8 AS blocks,
                       c.relpages::int8 AS relpages, c.reltuples::float8 AS reltuples
                  FROM pg_catalog.pg_class c WHERE c.oid = $1
                """,
                SpiArg.Oid(source.Oid)).ConfigureAwait(false) ?? throw new CallFailedException(
                PartitionErrors.UndefinedTable, $"relation {source.DisplayName} does not exist");
            double reltuples = size["reltuples"] is double d ? d : 0;
            counts.Add((source, size.Long("rows"), size.Long("blocks"), BatchRows(size.Long("relpages"), reltuples)));
        }

        long total = counts.Sum(c => c.Rows);
        long batchRows = counts.Count > 0 ? counts.Max(c => c.BatchRows) : 0;
        if (_plan.Partitioned)
        {
            await InfoAsync(string.Create(CultureInfo.InvariantCulture,
                $"migrating {total} rows of {Source.DisplayName} in batches of about {batchRows} rows")).ConfigureAwait(false);
        }
        else
        {
            await InfoAsync(string.Create(CultureInfo.InvariantCulture,
                $"migrating {total} rows of {Source.DisplayName} from {counts.Count} partitions in batches of about {batchRows} rows")).ConfigureAwait(false);
        }

        long moved = 0;
        DateTimeOffset lastNotice = _time.GetUtcNow();
        for (int s = 0; s < counts.Count; s++)
        {
            (DataSource source, long rows, long blocks, long sourceBatchRows) = counts[s];
            long movedHere = 0;
            string insert = $"INSERT INTO {Target} ({columns}){overriding} SELECT {columns} FROM ONLY {source.QualifiedName}";
            foreach ((long from, long? to) in BlockRanges(rows, blocks, sourceBatchRows))
            {
                string where = from == 0 && to is null ? "" : to is long end
                    ? string.Create(CultureInfo.InvariantCulture, $" WHERE ctid >= '({from},0)'::pg_catalog.tid AND ctid < '({end},0)'::pg_catalog.tid")
                    : string.Create(CultureInfo.InvariantCulture, $" WHERE ctid >= '({from},0)'::pg_catalog.tid");
                long batch = await _spi.ExecuteAsync(insert + where).ConfigureAwait(false);
                movedHere += batch;
                moved += batch;
                _spi.Context.ReportProgress(total == 0 ? 0 : MigrationShare * Math.Min(1.0, (double)moved / total));
                DateTimeOffset now = _time.GetUtcNow();
                if (now - lastNotice >= ProgressInterval)
                {
                    lastNotice = now;
                    await _spi.NoticeAsync(NoticeLevel.Notice, string.Create(CultureInfo.InvariantCulture,
                        $"{_plan.Action}ing {Source.DisplayName}: moved {moved} of {total} rows ({Percent(moved, total)} %)")).ConfigureAwait(false);
                }
            }

            if (movedHere != rows)
            {
                throw MigrationMismatch(source.DisplayName, movedHere, rows);
            }

            if (!_plan.Partitioned)
            {
                await InfoAsync(string.Create(CultureInfo.InvariantCulture,
                    $"moved {movedHere} rows from partition {source.DisplayName} ({s + 1}/{counts.Count})")).ConfigureAwait(false);
            }
        }

        if (moved != total)
        {
            throw MigrationMismatch(Source.DisplayName, moved, total);
        }

        await InfoAsync(string.Create(CultureInfo.InvariantCulture, $"migration completed 100 %: {moved} of {total} rows")).ConfigureAwait(false);
        return moved;
    }

    private static CallFailedException MigrationMismatch(string relation, long moved, long expected) =>
        new(PartitionErrors.InternalError, string.Create(CultureInfo.InvariantCulture,
            $"moved {moved} rows from {relation}, but it has {expected}"), "Nothing was changed: the transaction is rolled back.");

    private static string Percent(long moved, long total) =>
        (total == 0 ? 100 : Math.Floor(100.0 * moved / total)).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>
    /// Rows per batch as the original extension chooses them: a quarter of
    /// <c>maintenance_work_mem</c> divided by the average row size
    /// (relpages × 8192 / reltuples, 1024 when never analysed), clamped to 1000…100000.
    /// </summary>
    private long BatchRows(long relpages, double reltuples)
    {
        long averageRow = reltuples > 0 ? Math.Max(1, (long)Math.Floor(relpages * 8192.0 / reltuples)) : 1024;
        return Math.Clamp(_plan.MaintenanceWorkMemBytes / 4 / averageRow, 1000, 100000);
    }

    /// <summary>
    /// ctid ranges of about <paramref name="batchRows"/> rows: block ranges
    /// [from, to), the last one open-ended so that no row can be missed.
    /// </summary>
    internal static IEnumerable<(long From, long? To)> BlockRanges(long rows, long blocks, long batchRows)
    {
        if (rows == 0 && blocks == 0)
        {
            yield break;
        }

        long step = rows > 0 && blocks > 0 ? Math.Max(1, (long)Math.Floor((double)batchRows * blocks / rows)) : Math.Max(1, blocks);
        long from = 0;
        while (from + step < blocks)
        {
            yield return (from, from + step);
            from += step;
        }

        yield return (from, null);
    }

    private async Task SyncIdentitySequencesAsync()
    {
        foreach (ColumnDefinition column in Source.Columns.Where(c => c.Identity is not null && c.IdentitySequence is not null))
        {
            SequenceDefinition old = column.IdentitySequence!;
            string target = SqlText.Qualified(old.Schema, _plan.SequenceTempNames[column.Name]);
            if (old.TypeSql != column.TypeSql)
            {
                await ExecAsync($"ALTER SEQUENCE {target} AS {old.TypeSql}").ConfigureAwait(false);
            }

            await ExecAsync(
                $"SELECT pg_catalog.setval({SqlText.Literal(target)}::pg_catalog.regclass, s.last_value, s.is_called) FROM {old.QualifiedName} s").ConfigureAwait(false);
        }
    }

    private async Task AddConstraintAsync(ConstraintDefinition constraint, string name)
    {
        string definition = constraint.Definition;
        if (constraint.HasIndex && SqlText.WithOptions(constraint.IndexOptions) is string options)
        {
            // pg_get_constraintdef leaves out the index's storage parameters: they go after
            // the column list (and INCLUDE), before the DEFERRABLE attributes.
            string attributes = (constraint.Deferrable ? " DEFERRABLE" : "") + (constraint.Deferred ? " INITIALLY DEFERRED" : "");
            if (!definition.EndsWith(attributes, StringComparison.Ordinal))
            {
                throw new CallFailedException(PartitionErrors.InternalError,
                    $"cannot read the definition of constraint \"{constraint.Name}\"", $"pg_get_constraintdef returned: {definition}");
            }

            definition = definition[..^attributes.Length] + " " + options + attributes;
        }

        await ExecAsync($"ALTER TABLE {Target} ADD CONSTRAINT {SqlText.Ident(name)} {definition}").ConfigureAwait(false);
    }

    private async Task CreateIndexAsync(IndexDefinition index)
    {
        await UseIndexTablespaceAsync(index.Tablespace).ConfigureAwait(false);
        if (index.IsKmerIndex)
        {
            // A k-mer index's keys depend on the settings it is built under: build it
            // again under the ones it was built with (its kmersearch_index_info row),
            // without high-frequency exclusion (indexes built with it are refused up front).
            if (index.KmerSettings is KmerIndexSettings settings)
            {
                await SetLocalAsync("kmersearch.kmer_size", settings.KmerSize.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await SetLocalAsync("kmersearch.occur_bitlen", settings.OccurBitlen.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await SetLocalAsync("kmersearch.max_appearance_rate", settings.MaxAppearanceRate.ToString("R", CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await SetLocalAsync("kmersearch.max_appearance_nrow", settings.MaxAppearanceNrow.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }

            await SetLocalAsync("kmersearch.preclude_highfreq_kmer", "off").ConfigureAwait(false);
        }

        await ExecAsync(
            $"CREATE {(index.Unique ? "UNIQUE " : "")}INDEX {SqlText.Ident(_plan.IndexTempNames[index.Name])} ON {Target} USING {index.Body}").ConfigureAwait(false);
    }

    /// <summary>Makes the next index go where it should: the tablespace_name argument, else where the old one was.</summary>
    private async Task UseIndexTablespaceAsync(string? own)
    {
        string value = _plan.ExplicitTablespace ?? own ?? "";
        if (_plan.Partitioned && value == _plan.DatabaseTablespace)
        {
            value = ""; // the same place, without naming the default for a partitioned index
        }

        await SetLocalAsync(DefaultTablespaceSetting, value).ConfigureAwait(false);
    }

    private async Task SetLocalAsync(string name, string value)
    {
        if (!_savedSettings.ContainsKey(name))
        {
            SpiRow current = await _spi.QuerySingleAsync("SELECT pg_catalog.current_setting($1) AS value", SpiArg.Text(name)).ConfigureAwait(false)
                ?? throw new InvalidOperationException("current_setting returned no row");
            _savedSettings[name] = current.Text("value");
        }

        await _spi.ExecuteAsync("SELECT pg_catalog.set_config($1, $2, true)", SpiArg.Text(name), SpiArg.Text(value)).ConfigureAwait(false);
    }

    private async Task RestoreSettingsAsync()
    {
        foreach ((string name, string value) in _savedSettings)
        {
            await _spi.ExecuteAsync("SELECT pg_catalog.set_config($1, $2, true)", SpiArg.Text(name), SpiArg.Text(value)).ConfigureAwait(false);
        }

        _savedSettings.Clear();
    }

    private async Task CreateStatisticsAsync()
    {
        foreach (StatisticsDefinition statistics in Source.Statistics)
        {
            string name = SqlText.Qualified(statistics.Schema, _plan.StatisticsTempNames[statistics.Name]);
            string kinds = statistics.Kinds.Count > 0 ? $" ({string.Join(", ", statistics.Kinds)})" : "";
            await ExecAsync($"CREATE STATISTICS {name}{kinds} ON {statistics.Columns} FROM {Target}").ConfigureAwait(false);
            if (statistics.StatisticsTarget is int target)
            {
                await ExecAsync($"ALTER STATISTICS {name} SET STATISTICS {target.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyTableSettingsAsync()
    {
        var actions = new List<string>();
        if (Source.RowSecurity)
        {
            actions.Add("ENABLE ROW LEVEL SECURITY");
        }

        if (Source.ForceRowSecurity)
        {
            actions.Add("FORCE ROW LEVEL SECURITY");
        }

        switch (Source.ReplicaIdentity)
        {
            case 'n':
                actions.Add("REPLICA IDENTITY NOTHING");
                break;
            case 'f':
                actions.Add("REPLICA IDENTITY FULL");
                break;
            case 'i' when Source.ReplicaIdentityIndex is string index:
                string temp = _plan.ConstraintTempNames.GetValueOrDefault(index) ?? _plan.IndexTempNames[index];
                actions.Add($"REPLICA IDENTITY USING INDEX {SqlText.Ident(temp)}");
                break;
        }

        if (actions.Count > 0)
        {
            await ExecAsync($"ALTER TABLE {Target} {string.Join(", ", actions)}").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Gives the new table the old one's privileges: for each role whose
    /// privileges differ (the new table starts with the owner's defaults and
    /// any default privileges), REVOKE ALL and GRANT the old ones; then the
    /// column privileges. Grants are recorded as made by the owner.
    /// </summary>
    private async Task CopyPrivilegesAsync()
    {
        IReadOnlyList<AclEntry> current = await CatalogReader.ReadAclAsync(_spi, _newOid).ConfigureAwait(false);
        ILookup<string?, AclEntry> before = Source.Acl.ToLookup(e => e.Grantee);
        ILookup<string?, AclEntry> now = current.ToLookup(e => e.Grantee);
        IEnumerable<string?> grantees = Source.Acl.Select(e => e.Grantee).Concat(current.Select(e => e.Grantee)).Distinct();
        foreach (string? grantee in grantees)
        {
            var wanted = before[grantee].ToHashSet();
            if (wanted.SetEquals(now[grantee]))
            {
                continue;
            }

            await ExecAsync($"REVOKE ALL ON TABLE {Target} FROM {SqlText.Grantee(grantee)}").ConfigureAwait(false);
            foreach (IGrouping<bool, AclEntry> group in wanted.GroupBy(e => e.Grantable))
            {
                await ExecAsync($"GRANT {Privileges(group)} ON TABLE {Target} TO {SqlText.Grantee(grantee)}{(group.Key ? " WITH GRANT OPTION" : "")}").ConfigureAwait(false);
            }
        }

        foreach (ColumnDefinition column in Source.Columns.Where(c => c.Acl.Count > 0))
        {
            foreach (IGrouping<(string? Grantee, bool Grantable), AclEntry> group in column.Acl.GroupBy(e => (e.Grantee, e.Grantable)))
            {
                string privileges = string.Join(", ", group.Select(e => $"{CheckedPrivilege(e.Privilege)} ({column.Quoted})"));
                await ExecAsync($"GRANT {privileges} ON TABLE {Target} TO {SqlText.Grantee(group.Key.Grantee)}{(group.Key.Grantable ? " WITH GRANT OPTION" : "")}").ConfigureAwait(false);
            }
        }
    }

    private static string Privileges(IEnumerable<AclEntry> entries) => string.Join(", ", entries.Select(e => CheckedPrivilege(e.Privilege)));

    private static string CheckedPrivilege(string privilege) =>
        PrivilegeName().IsMatch(privilege)
            ? privilege
            : throw new CallFailedException(PartitionErrors.InternalError, $"unexpected privilege name \"{privilege}\"");

    [GeneratedRegex("^[A-Z][A-Z ]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PrivilegeName();

    /// <summary>
    /// Re-keys the table's high-frequency analysis (and the index bookkeeping
    /// rows still keyed by the old OID) to the new table, as the original does.
    /// </summary>
    private async Task MoveAnalysisRowsAsync()
    {
        if (_plan.ExtensionSchema is not string schema)
        {
            return;
        }

        string[] tables = ["kmersearch_highfreq_kmer_meta", "kmersearch_highfreq_kmer", "kmersearch_gin_index_meta", "kmersearch_index_info"];
        string[] qualified = [.. tables.Select(t => SqlText.Qualified(schema, t))];
        SpiRow access = await _spi.QuerySingleAsync(
            "SELECT pg_catalog.bool_and(pg_catalog.has_table_privilege(t, 'SELECT, UPDATE')) AS ok FROM pg_catalog.unnest($1::text[]) AS t",
            new SpiArg(qualified, "text[]")).ConfigureAwait(false) ?? throw new InvalidOperationException("no row");
        if (!access.Bool("ok"))
        {
            await _spi.NoticeAsync(NoticeLevel.Warning,
                $"high-frequency analysis rows of {Source.DisplayName} were not carried over: the caller may not read and update the extension's tables",
                "Rows keyed by the old table's OID, if any, no longer match the table.").ConfigureAwait(false);
            return;
        }

        long analyses = 0;
        long keys = 0;
        for (int i = 0; i < tables.Length; i++)
        {
            long updated = await _spi.ExecuteAsync(
                $"UPDATE {qualified[i]} SET table_oid = $2 WHERE table_oid = $1", SpiArg.Oid(Source.Oid), SpiArg.Oid(_newOid)).ConfigureAwait(false);
            if (i == 0)
            {
                analyses = updated;
            }
            else if (i == 1)
            {
                keys = updated;
            }
        }

        if (analyses > 0)
        {
            await _spi.NoticeAsync(NoticeLevel.Notice, string.Create(CultureInfo.InvariantCulture,
                $"high-frequency k-mer analysis of {Source.DisplayName} preserved: {analyses} analyses and {keys} high-frequency k-mers now refer to the new table")).ConfigureAwait(false);
        }
    }

    private async Task RenameAsync()
    {
        await ExecAsync($"ALTER TABLE {Target} RENAME TO {SqlText.Ident(Source.Name)}").ConfigureAwait(false);
        string table = Source.QualifiedName;
        foreach ((string name, string temp) in _plan.ConstraintTempNames)
        {
            await ExecAsync($"ALTER TABLE {table} RENAME CONSTRAINT {SqlText.Ident(temp)} TO {SqlText.Ident(name)}").ConfigureAwait(false);
        }

        foreach ((string name, string temp) in _plan.IndexTempNames)
        {
            await ExecAsync($"ALTER INDEX {SqlText.Qualified(Source.Schema, temp)} RENAME TO {SqlText.Ident(name)}").ConfigureAwait(false);
        }

        foreach (StatisticsDefinition statistics in Source.Statistics)
        {
            await ExecAsync($"ALTER STATISTICS {SqlText.Qualified(statistics.Schema, _plan.StatisticsTempNames[statistics.Name])} RENAME TO {SqlText.Ident(statistics.Name)}").ConfigureAwait(false);
        }

        foreach (ColumnDefinition column in Source.Columns.Where(c => c.IdentitySequence is not null))
        {
            SequenceDefinition old = column.IdentitySequence!;
            await ExecAsync($"ALTER SEQUENCE {SqlText.Qualified(old.Schema, _plan.SequenceTempNames[column.Name])} RENAME TO {SqlText.Ident(old.Name)}").ConfigureAwait(false);
        }
    }

    private async Task CopyCommentsAsync()
    {
        string table = Source.QualifiedName;
        if (Source.Comment is string comment)
        {
            await ExecAsync($"COMMENT ON TABLE {table} IS {SqlText.Literal(comment)}").ConfigureAwait(false);
        }

        foreach (ColumnDefinition column in Source.Columns.Where(c => c.Comment is not null))
        {
            await ExecAsync($"COMMENT ON COLUMN {table}.{column.Quoted} IS {SqlText.Literal(column.Comment!)}").ConfigureAwait(false);
        }

        foreach (ConstraintDefinition constraint in Source.Constraints.Where(c => c.Comment is not null))
        {
            await ExecAsync($"COMMENT ON CONSTRAINT {SqlText.Ident(constraint.Name)} ON {table} IS {SqlText.Literal(constraint.Comment!)}").ConfigureAwait(false);
        }

        foreach (IndexDefinition index in Source.Indexes.Where(i => i.Comment is not null))
        {
            await ExecAsync($"COMMENT ON INDEX {SqlText.Qualified(Source.Schema, index.Name)} IS {SqlText.Literal(index.Comment!)}").ConfigureAwait(false);
        }

        foreach (StatisticsDefinition statistics in Source.Statistics.Where(s => s.Comment is not null))
        {
            await ExecAsync($"COMMENT ON STATISTICS {SqlText.Qualified(statistics.Schema, statistics.Name)} IS {SqlText.Literal(statistics.Comment!)}").ConfigureAwait(false);
        }
    }

    private Task<long> ExecAsync(string sql) => _spi.ExecuteAsync(sql);

    private ValueTask InfoAsync(string message) => _spi.NoticeAsync(NoticeLevel.Info, message);
}
