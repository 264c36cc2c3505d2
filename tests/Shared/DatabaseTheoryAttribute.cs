namespace Kmer.Tests.Shared;

/// <summary>A theory that needs the test database: skipped when <see cref="TestDatabase.SkipReason"/> says so.</summary>
public sealed class DatabaseTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when no database is configured outside CI.</summary>
    public DatabaseTheoryAttribute()
    {
        if (TestDatabase.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
