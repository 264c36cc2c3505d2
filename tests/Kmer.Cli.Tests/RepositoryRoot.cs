namespace Kmer.Cli.Tests;

/// <summary>The repository checkout the tests were built from: the nearest folder above the test assembly holding hybrid.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string File(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    private static string Find()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(directory.FullName, "hybrid.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no hybrid.sln above {AppContext.BaseDirectory}");
    }
}
