namespace Kmer.Worker.Tests;

/// <summary>A fact that checks the default settings' admin user, root: skipped when the tests run as another user.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> unless the tests run as root.</summary>
    public RootFactAttribute()
    {
        if (TestWorker.CurrentUser != "root")
        {
            Skip = $"runs only as root (the default Worker:AdminUsers); the tests run as {TestWorker.CurrentUser}.";
        }
    }
}
