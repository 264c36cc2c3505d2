using System.Diagnostics;

namespace Kmer.Worker.Tests;

public sealed class SystemdUnitTests
{
    private const string InstalledBinary = "/usr/local/lib/kmer-worker/Kmer.Worker";

    private static readonly string UnitPath = Path.Combine(RepoRoot(), "deploy", "systemd", "kmer-worker.service");

    [Fact]
    public void UnitIsTypeNotifyAndRunsAsPostgres()
    {
        string unit = File.ReadAllText(UnitPath);
        Assert.Contains("\nType=notify\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nUser=postgres\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nRuntimeDirectory=kmer-worker\n", unit, StringComparison.Ordinal);
        Assert.Contains("--Worker:SocketPath=/run/kmer-worker/kmer-worker.sock", unit, StringComparison.Ordinal);
    }

    [SystemdAnalyzeFact]
    public async Task SystemdAnalyzeVerifyAcceptsTheUnit()
    {
        // verify requires ExecStart's binary to exist, and the worker is not installed
        // here: check a copy of the unit whose ExecStart names a stand-in executable.
        // verify exits 0 on unknown keys and bad values (it only prints them), so the
        // test also fails on any line it prints about the unit.
        string directory = Path.Combine(Path.GetTempPath(), "kmer-unit-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            Directory.CreateDirectory(directory);
            string binary = Path.Combine(directory, "Kmer.Worker");
            await File.WriteAllTextAsync(binary, "#!/bin/sh\n");
            File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            string text = await File.ReadAllTextAsync(UnitPath);
            Assert.Contains(InstalledBinary, text, StringComparison.Ordinal);
            string unit = Path.Combine(directory, "kmer-worker.service");
            await File.WriteAllTextAsync(unit, text.Replace(InstalledBinary, binary, StringComparison.Ordinal));

            var start = new ProcessStartInfo(SystemdAnalyzeFactAttribute.Tool!)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add("verify");
            start.ArgumentList.Add("--man=no");
            start.ArgumentList.Add(unit);
            using Process process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            string output = (await stdout) + (await stderr);

            Assert.True(process.ExitCode == 0, $"systemd-analyze verify exited {process.ExitCode}:\n{output}");
            Assert.DoesNotContain("kmer-worker.service", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "hybrid.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No hybrid.sln above {AppContext.BaseDirectory}.");
    }
}
