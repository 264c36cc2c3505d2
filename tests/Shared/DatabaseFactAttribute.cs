namespace Kmer.Tests.Shared;

/// <summary>A fact that needs the test database: skipped when <see cref="TestDatabase.SkipReason"/> says so.</summary>
public sealed class DatabaseFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when no database is configured outside CI.</summary>
    public DatabaseFactAttribute()
    {
        if (TestDatabase.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
