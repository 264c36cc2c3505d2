namespace Kmer.Core.Tests;

/// <summary>Finds and reads the shared codec vectors in tests/vectors.</summary>
internal static class VectorFiles
{
    private static readonly Lazy<string> Folder = new(FindFolder);

    public static string Directory => Folder.Value;

    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Read(string fileName) =>
        CopyTextReader.ReadFile(Path.Combine(Directory, fileName));

    public static DnaAlphabet Alphabet(string typeName) => typeName.ToUpperInvariant() switch
    {
        "DNA2" => DnaAlphabet.Dna2,
        "DNA4" => DnaAlphabet.Dna4,
        _ => throw new InvalidDataException($"unknown type \"{typeName}\" in a vector file"),
    };

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "vectors");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No tests/vectors folder above {AppContext.BaseDirectory}.");
    }
}
