namespace Kmer.Cli;

/// <summary>Where the worker pool's Unix socket is.</summary>
public static class WorkerSocket
{
    /// <summary>The environment variable that overrides <see cref="DefaultPath"/>.</summary>
    public const string EnvironmentVariable = "KMER_WORKER_SOCKET";

    /// <summary>The socket path of a worker installed as the <c>kmer-worker</c> systemd service.</summary>
    public const string DefaultPath = "/run/kmer-worker/kmer-worker.sock";

    /// <summary>
    /// The socket to use: <paramref name="option"/> when given, else the value
    /// of <see cref="EnvironmentVariable"/> when set, else <see cref="DefaultPath"/>.
    /// </summary>
    public static string Resolve(string? option, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        if (!string.IsNullOrEmpty(option))
        {
            return option;
        }

        string? fromEnvironment = getEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrEmpty(fromEnvironment) ? DefaultPath : fromEnvironment;
    }
}
