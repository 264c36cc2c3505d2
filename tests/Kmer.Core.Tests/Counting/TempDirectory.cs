namespace Kmer.Core.Tests.Counting;

/// <summary>A fresh directory under the system temp directory, removed on Dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("kmer-counting-").FullName;
    }

    public string Path { get; }

    public string[] Files => Directory.GetFiles(Path);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
