namespace Kmer.Worker.Partitioning;

/// <summary>
/// A table as the partition handlers carry it over: everything the new table
/// must get again, read from the catalogs in the caller's transaction (under
/// its ACCESS EXCLUSIVE lock) by <see cref="CatalogReader"/>.
/// </summary>
internal sealed class TableDefinition
{
    public required long Oid { get; init; }

    public required string Schema { get; init; }

    public required string Name { get; init; }

    /// <summary><c>r</c> plain table, <c>p</c> partitioned table.</summary>
    public required char Kind { get; init; }

    /// <summary><c>p</c> permanent, <c>u</c> unlogged, <c>t</c> temporary.</summary>
    public required char Persistence { get; init; }

    public required bool IsPartition { get; init; }

    /// <summary>The table's composite type (things that use it cannot be carried over).</summary>
    public required long RowTypeOid { get; init; }

    public required string Owner { get; init; }

    /// <summary>Whether the caller is the owner or a member of the owner's role (it may then drop the table and give the new one to that role).</summary>
    public required bool CallerOwns { get; init; }

    /// <summary>The table's own tablespace, null for the database default.</summary>
    public required string? Tablespace { get; init; }

    public required IReadOnlyList<string> RelOptions { get; init; }

    /// <summary>The table access method when it is not <c>heap</c>.</summary>
    public required string? AccessMethod { get; init; }

    public required bool RowSecurity { get; init; }

    public required bool ForceRowSecurity { get; init; }

    /// <summary><c>d</c>, <c>n</c>, <c>f</c> or <c>i</c> (<c>pg_class.relreplident</c>).</summary>
    public required char ReplicaIdentity { get; init; }

    /// <summary>The replica identity index (<see cref="ReplicaIdentity"/> <c>i</c>).</summary>
    public required string? ReplicaIdentityIndex { get; init; }

    public required bool IsTyped { get; init; }

    public required bool InExtension { get; init; }

    /// <summary>Inheritance that is not partitioning (a parent or a child): cannot be carried over.</summary>
    public required IReadOnlyList<string> Inheritance { get; init; }

    public required string? Comment { get; init; }

    /// <summary>The table's privileges (its ACL, or the owner's default privileges when it has none).</summary>
    public required IReadOnlyList<AclEntry> Acl { get; init; }

    public required IReadOnlyList<ColumnDefinition> Columns { get; init; }

    public required IReadOnlyList<ConstraintDefinition> Constraints { get; init; }

    public required IReadOnlyList<IndexDefinition> Indexes { get; init; }

    public required IReadOnlyList<StatisticsDefinition> Statistics { get; init; }

    /// <summary>Sequences owned by a column (serial) that are not identity sequences.</summary>
    public required IReadOnlyList<OwnedSequence> OwnedSequences { get; init; }

    /// <summary>The table as messages name it (schema-qualified only when the schema is not first on the search path).</summary>
    public required string DisplayName { get; init; }

    public string QualifiedName => SqlText.Qualified(Schema, Name);

    /// <summary>The columns of DNA2/DNA4 type.</summary>
    public IEnumerable<ColumnDefinition> DnaColumns => Columns.Where(c => c.IsDna);
}

/// <summary>One column.</summary>
internal sealed class ColumnDefinition
{
    public required int Number { get; init; }

    public required string Name { get; init; }

    /// <summary><c>format_type</c> of the column's type and modifier.</summary>
    public required string TypeSql { get; init; }

    public required bool IsDna { get; init; }

    /// <summary>A <c>COLLATE</c> clause's collation when it differs from the type's, quoted and qualified.</summary>
    public required string? CollationSql { get; init; }

    public required bool NotNull { get; init; }

    public required string? DefaultSql { get; init; }

    /// <summary>The expression of a stored generated column.</summary>
    public required string? GeneratedSql { get; init; }

    /// <summary><c>a</c> (ALWAYS) or <c>d</c> (BY DEFAULT) for an identity column, else null.</summary>
    public required char? Identity { get; init; }

    /// <summary>The storage mode (<c>p</c>, <c>e</c>, <c>m</c>, <c>x</c>) when it differs from the type's default.</summary>
    public required char? Storage { get; init; }

    /// <summary><c>pglz</c> or <c>lz4</c> when set on the column.</summary>
    public required string? Compression { get; init; }

    /// <summary><c>ALTER COLUMN … SET STATISTICS</c> when set (not −1).</summary>
    public required int? StatisticsTarget { get; init; }

    /// <summary><c>ALTER COLUMN … SET (…)</c> options: <c>n_distinct</c> and <c>n_distinct_inherited</c> (PostgreSQL's own; others are not copied).</summary>
    public required IReadOnlyList<string> Options { get; init; }

    public required string? Comment { get; init; }

    public List<AclEntry> Acl { get; } = [];

    public SequenceDefinition? IdentitySequence { get; set; }

    public string Quoted => SqlText.Ident(Name);
}

/// <summary>An identity column's sequence: its options, to give the new column the same ones.</summary>
internal sealed class SequenceDefinition
{
    public required string Schema { get; init; }

    public required string Name { get; init; }

    public required string TypeSql { get; init; }

    public required long Start { get; init; }

    public required long Increment { get; init; }

    public required long Min { get; init; }

    public required long Max { get; init; }

    public required long Cache { get; init; }

    public required bool Cycle { get; init; }

    public string QualifiedName => SqlText.Qualified(Schema, Name);
}

/// <summary>A sequence owned by a column (serial), moved to the new table's column.</summary>
internal sealed record OwnedSequence(string Schema, string Name, string Column)
{
    public string QualifiedName => SqlText.Qualified(Schema, Name);
}

/// <summary>A CHECK, PRIMARY KEY, UNIQUE, FOREIGN KEY, EXCLUDE or constraint-trigger constraint.</summary>
internal sealed class ConstraintDefinition
{
    public required long Oid { get; init; }

    public required string Name { get; init; }

    /// <summary><c>c</c>, <c>p</c>, <c>u</c>, <c>f</c>, <c>x</c>, <c>t</c>.</summary>
    public required char Type { get; init; }

    /// <summary><c>pg_get_constraintdef</c>.</summary>
    public required string Definition { get; init; }

    public required bool Validated { get; init; }

    public required bool NoInherit { get; init; }

    public required bool IsLocal { get; init; }

    public required bool Deferrable { get; init; }

    public required bool Deferred { get; init; }

    /// <summary>Whether the key (PRIMARY KEY, UNIQUE, EXCLUDE) includes the DNA column.</summary>
    public required bool IncludesDnaColumn { get; init; }

    /// <summary>A foreign key that references its own table.</summary>
    public required bool ReferencesSelf { get; init; }

    /// <summary>The storage parameters of the constraint's index.</summary>
    public required IReadOnlyList<string> IndexOptions { get; init; }

    /// <summary>The tablespace of the constraint's index, null for the database default.</summary>
    public required string? IndexTablespace { get; init; }

    public required string? Comment { get; init; }

    /// <summary>Whether the constraint has an index (PRIMARY KEY, UNIQUE, EXCLUDE), whose name must be unique in the schema.</summary>
    public bool HasIndex => Type is 'p' or 'u' or 'x';

    public string Kind => Type switch
    {
        'c' => "check constraint",
        'p' => "primary key",
        'u' => "unique constraint",
        'f' => "foreign key",
        'x' => "exclusion constraint",
        't' => "constraint trigger",
        _ => "constraint",
    };
}

/// <summary>An index that does not belong to a constraint.</summary>
internal sealed class IndexDefinition
{
    public required long Oid { get; init; }

    public required string Name { get; init; }

    /// <summary><c>pg_get_indexdef</c>.</summary>
    public required string Definition { get; init; }

    /// <summary>What follows <c>USING</c> in <see cref="Definition"/>: access method, columns, INCLUDE, WITH, WHERE.</summary>
    public required string Body { get; init; }

    public required bool Unique { get; init; }

    public required bool Valid { get; init; }

    public required bool IncludesDnaColumn { get; init; }

    public required string? Tablespace { get; init; }

    public required string? Comment { get; init; }

    public required bool IsReplicaIdentity { get; init; }

    /// <summary>A GIN index with a kmersearch operator class.</summary>
    public required bool IsKmerIndex { get; init; }

    /// <summary>The settings a k-mer index was built with (its <c>kmersearch_index_info</c> row), if recorded.</summary>
    public required KmerIndexSettings? KmerSettings { get; init; }
}

/// <summary>The settings a k-mer GIN index was built under.</summary>
internal sealed record KmerIndexSettings(int KmerSize, int OccurBitlen, bool PrecludeHighfreqKmer, double MaxAppearanceRate, long MaxAppearanceNrow);

/// <summary>An extended statistics object.</summary>
internal sealed class StatisticsDefinition
{
    public required string Schema { get; init; }

    public required string Name { get; init; }

    /// <summary><c>pg_get_statisticsobjdef_columns</c>.</summary>
    public required string Columns { get; init; }

    /// <summary>The statistics kinds to name (<c>ndistinct</c>, <c>dependencies</c>, <c>mcv</c>); empty for an expression-only object.</summary>
    public required IReadOnlyList<string> Kinds { get; init; }

    public required int? StatisticsTarget { get; init; }

    public required string? Comment { get; init; }
}

/// <summary>One privilege of one grantee; <see cref="Grantee"/> null is PUBLIC.</summary>
internal sealed record AclEntry(string? Grantee, string Privilege, bool Grantable);
