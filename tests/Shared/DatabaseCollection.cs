namespace Kmer.Tests.Shared;

/// <summary>
/// Every database test class belongs to this collection, so they run one at a
/// time: they change session settings, build indexes and create databases.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DatabaseCollection
{
    /// <summary>The collection name used in <c>[Collection]</c>.</summary>
    public const string Name = "database";
}
