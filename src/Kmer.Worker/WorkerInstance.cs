using System.Reflection;

namespace Kmer.Worker;

/// <summary>This worker process: its version, pid and start time, as <c>welcome</c> and <c>status</c> report them.</summary>
public sealed class WorkerInstance
{
    private long _connections;

    /// <summary>Captures the process's identity; the start time is taken now.</summary>
    public WorkerInstance(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
        StartedAt = time.GetUtcNow();
        Pid = Environment.ProcessId;
        Assembly assembly = typeof(WorkerInstance).Assembly;
        Version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
    }

    /// <summary>The worker's version (the assembly's informational version).</summary>
    public string Version { get; }

    /// <summary><c>kmer-worker</c> and the version, the <c>server</c> of <c>welcome</c>.</summary>
    public string ServerName => $"kmer-worker {Version}";

    /// <summary>The process id.</summary>
    public int Pid { get; }

    /// <summary>When the worker started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The clock the worker uses.</summary>
    public TimeProvider Time { get; }

    /// <summary>Seconds since <see cref="StartedAt"/>.</summary>
    public double UptimeSeconds => (Time.GetUtcNow() - StartedAt).TotalSeconds;

    /// <summary>The client connections being served now.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>The process's resident memory in bytes.</summary>
    public static long MemoryBytes => Environment.WorkingSet;

    internal void ConnectionOpened() => Interlocked.Increment(ref _connections);

    internal void ConnectionClosed() => Interlocked.Decrement(ref _connections);
}
