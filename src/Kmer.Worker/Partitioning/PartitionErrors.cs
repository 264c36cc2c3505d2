namespace Kmer.Worker.Partitioning;

/// <summary>The SQLSTATEs the partition handlers raise (PostgreSQL's codes).</summary>
internal static class PartitionErrors
{
    /// <summary>null_value_not_allowed: a NULL table name.</summary>
    public const string NullValueNotAllowed = "22004";

    /// <summary>invalid_parameter_value: partition_count &lt; 1.</summary>
    public const string InvalidParameterValue = "22023";

    /// <summary>undefined_table.</summary>
    public const string UndefinedTable = "42P01";

    /// <summary>undefined_object: an unknown tablespace.</summary>
    public const string UndefinedObject = "42704";

    /// <summary>wrong_object_type: not a (plain / partitioned) table, no DNA column.</summary>
    public const string WrongObjectType = "42809";

    /// <summary>feature_not_supported: more than one DNA column, something that cannot be carried over.</summary>
    public const string FeatureNotSupported = "0A000";

    /// <summary>invalid_table_definition: a partitioned table without partitions.</summary>
    public const string InvalidTableDefinition = "42P16";

    /// <summary>duplicate_table: a partition name is taken.</summary>
    public const string DuplicateTable = "42P07";

    /// <summary>dependent_objects_still_exist: views, foreign keys … that depend on the table.</summary>
    public const string DependentObjectsStillExist = "2BP01";

    /// <summary>insufficient_privilege.</summary>
    public const string InsufficientPrivilege = "42501";

    /// <summary>object_not_in_prerequisite_state: an invalid index, a k-mer index built with high-frequency exclusion.</summary>
    public const string ObjectNotInPrerequisiteState = "55000";

    /// <summary>internal_error: the migration lost or gained rows.</summary>
    public const string InternalError = "XX000";
}
