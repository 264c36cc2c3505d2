using MessagePack;

namespace Kmer.Protocol;

/// <summary>The <c>context</c> map of a <see cref="Call"/>: the caller's session as the work needs it.</summary>
/// <param name="Database">The caller's database.</param>
/// <param name="User">The caller's role (<c>current_user</c>).</param>
/// <param name="SearchPath">The caller's <c>search_path</c>.</param>
/// <param name="BackendPid">The caller's backend pid.</param>
/// <param name="Snapshot">The exported snapshot id, or null when none could be exported.</param>
/// <param name="Settings">Setting name → value as text: every <c>kmersearch.*</c> setting and the others the work depends on.</param>
/// <remarks>
/// <see cref="DatabaseOid"/> is an optional key (missing or nil is null), so it
/// is an init-only property rather than a constructor parameter.
/// </remarks>
public sealed record CallContext(
    string Database,
    string User,
    string SearchPath,
    int BackendPid,
    string? Snapshot,
    IReadOnlyDictionary<string, string> Settings)
{
    private const string Where = "call";

    /// <summary>The caller's database OID (<c>database_oid</c>), or null when the client did not send it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not an OID (0 to 4294967295).</exception>
    public long? DatabaseOid
    {
        get;
        init
        {
            if (value is < 0 or > uint.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "An OID is between 0 and 4294967295.");
            }

            field = value;
        }
    }

    internal void WriteTo(ref MessagePackWriter writer)
    {
        writer.WriteMapHeader(7);
        WireWriter.String(ref writer, "database", Database, Where);
        WireWriter.String(ref writer, "user", User, Where);
        WireWriter.String(ref writer, "search_path", SearchPath, Where);
        WireWriter.Int64(ref writer, "backend_pid", BackendPid);
        WireWriter.NullableInt64(ref writer, "database_oid", DatabaseOid);
        WireWriter.NullableString(ref writer, "snapshot", Snapshot);
        WireWriter.Required(Settings, "settings", Where);
        writer.Write("settings");
        writer.WriteMapHeader(Settings.Count);
        foreach (KeyValuePair<string, string> setting in Settings)
        {
            WireWriter.String(ref writer, setting.Key, setting.Value, Where);
        }
    }

    internal static CallContext Read(FieldMap fields)
    {
        long? databaseOid = fields.OptionalInt64("database_oid");
        if (databaseOid is < 0 or > uint.MaxValue)
        {
            throw ProtocolException.Violation($"key \"database_oid\" of {fields.Where} is out of range for an OID: {databaseOid}");
        }

        return new(fields.String("database"),
            fields.String("user"),
            fields.String("search_path"),
            fields.Int32("backend_pid"),
            fields.NullableString("snapshot"),
            fields.StringMap("settings"))
        {
            DatabaseOid = databaseOid,
        };
    }
}
