namespace Kmer.Worker.Tests;

/// <summary>A fact that needs <c>systemd-analyze</c> (Debian package <c>systemd</c>): skipped when it is not on PATH.</summary>
public sealed class SystemdAnalyzeFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <c>systemd-analyze</c> is missing.</summary>
    public SystemdAnalyzeFactAttribute()
    {
        if (Tool is null)
        {
            Skip = "systemd-analyze is not installed (apt-get install systemd); the unit file is not verified.";
        }
    }

    /// <summary>The full path of <c>systemd-analyze</c>, or null when it is not on PATH.</summary>
    public static string? Tool { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "systemd-analyze"))
            .FirstOrDefault(File.Exists);
}
