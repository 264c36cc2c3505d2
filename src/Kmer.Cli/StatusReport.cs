using System.Globalization;
using System.Text.Json;
using Kmer.Protocol;

namespace Kmer.Cli;

/// <summary>
/// Writes a <see cref="WorkerStatus"/> for people (aligned text) or for
/// scripts (one JSON object with stable snake_case names, times in ISO 8601,
/// durations in seconds).
/// </summary>
public static class StatusReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the whole status: the pool, then its jobs.</summary>
    public static void WriteText(TextWriter output, WorkerStatus status)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(status);
        StatusResult result = status.Status;
        output.WriteLine($"kmer-worker pool is up (socket {status.SocketPath})");
        output.WriteLine($"  server:  {status.Welcome.Server}");
        output.WriteLine($"  version: {result.Version}");
        output.WriteLine(string.Create(Invariant, $"  pid:     {result.Pid}"));
        output.WriteLine($"  uptime:  {FormatDuration(status.Uptime)} (since {FormatTime(result.StartedAt)})");
        output.WriteLine($"  peer:    {PeerName(status.Welcome.Peer)}");
        if (result.Connections is long connections)
        {
            output.WriteLine(string.Create(Invariant, $"  clients: {connections} connected (this one included)"));
        }

        if (result.MemoryBytes is long memory)
        {
            output.WriteLine(string.Create(Invariant, $"  memory:  {memory / (1024.0 * 1024.0):F1} MiB resident"));
        }

        output.WriteLine(result.Jobs.Count == 0
            ? "  jobs:    none running"
            : string.Create(Invariant, $"  jobs:    {result.Jobs.Count} running"));
        if (result.Jobs.Count > 0)
        {
            output.WriteLine();
            WriteJobTable(output, status);
        }
    }

    /// <summary>Writes only the jobs: a table, or a line saying there are none.</summary>
    public static void WriteJobsText(TextWriter output, WorkerStatus status)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(status);
        if (status.Status.Jobs.Count == 0)
        {
            output.WriteLine("no jobs running");
            return;
        }

        WriteJobTable(output, status);
    }

    /// <summary>Writes the whole status as one JSON object.</summary>
    public static void WriteJson(TextWriter output, WorkerStatus status)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(status);
        WriteJsonObject(output, json =>
        {
            StatusResult result = status.Status;
            json.WriteString("status", "running");
            json.WriteString("socket", status.SocketPath);
            json.WriteNumber("protocol", status.Welcome.Protocol);
            json.WriteString("server", status.Welcome.Server);
            json.WriteString("version", result.Version);
            json.WriteNumber("pid", result.Pid);
            json.WriteString("peer", PeerName(status.Welcome.Peer));
            json.WriteString("started_at", FormatTime(result.StartedAt));
            json.WriteNumber("uptime_seconds", Seconds(status.Uptime));
            if (result.Connections is long connections)
            {
                json.WriteNumber("connections", connections);
            }

            if (result.MemoryBytes is long memory)
            {
                json.WriteNumber("memory_bytes", memory);
            }

            json.WriteString("observed_at", FormatTime(status.ObservedAt));
            WriteJobsArray(json, status);
        });
    }

    /// <summary>Writes only the jobs, as one JSON object with a <c>jobs</c> array.</summary>
    public static void WriteJobsJson(TextWriter output, WorkerStatus status)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(status);
        WriteJsonObject(output, json =>
        {
            json.WriteString("socket", status.SocketPath);
            json.WriteString("observed_at", FormatTime(status.ObservedAt));
            WriteJobsArray(json, status);
        });
    }

    /// <summary>
    /// Writes a failure as one JSON object (<c>status</c> is <c>not_running</c>
    /// or <c>unreachable</c>), so scripts that parse stdout get an object either way.
    /// </summary>
    public static void WriteFailureJson(TextWriter output, string socketPath, ProbeResult failure)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(failure);
        WriteJsonObject(output, json =>
        {
            json.WriteString("status", failure.ExitCode == ExitCodes.NotRunning ? "not_running" : "unreachable");
            json.WriteString("socket", socketPath);
            json.WriteString("reason", failure.Reason);
        });
    }

    /// <summary>A duration as people read it: <c>45s</c>, <c>3m 05s</c>, <c>2h 03m 10s</c>, <c>4d 02h 00m</c>.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration switch
        {
            { TotalDays: >= 1 } => string.Create(Invariant, $"{(int)duration.TotalDays}d {duration.Hours:00}h {duration.Minutes:00}m"),
            { TotalHours: >= 1 } => string.Create(Invariant, $"{duration.Hours}h {duration.Minutes:00}m {duration.Seconds:00}s"),
            { TotalMinutes: >= 1 } => string.Create(Invariant, $"{duration.Minutes}m {duration.Seconds:00}s"),
            _ => string.Create(Invariant, $"{duration.Seconds}s"),
        };
    }

    private static void WriteJobTable(TextWriter output, WorkerStatus status)
    {
        string[] header = ["JOB", "HANDLER", "CALLER PID", "PROGRESS", "RUNNING FOR"];
        bool[] rightAligned = [true, false, true, true, true];
        List<string[]> rows = [header];
        foreach (JobInfo job in status.Status.Jobs)
        {
            rows.Add(
            [
                job.Job.ToString(Invariant),
                job.Handler,
                job.CallerPid.ToString(Invariant),
                job.Progress is double p ? string.Create(Invariant, $"{p * 100:0.#}%") : "-",
                FormatDuration(status.RunningFor(job)),
            ]);
        }

        int[] widths = new int[header.Length];
        foreach (string[] row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (string[] row in rows)
        {
            var cells = row.Select((cell, i) => rightAligned[i] ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    private static void WriteJobsArray(Utf8JsonWriter json, WorkerStatus status)
    {
        json.WriteStartArray("jobs");
        foreach (JobInfo job in status.Status.Jobs)
        {
            json.WriteStartObject();
            json.WriteNumber("job", job.Job);
            json.WriteString("handler", job.Handler);
            json.WriteNumber("caller_pid", job.CallerPid);
            if (job.Progress is double progress)
            {
                json.WriteNumber("progress", progress);
            }
            else
            {
                json.WriteNull("progress");
            }

            json.WriteString("started_at", FormatTime(job.StartedAt));
            json.WriteNumber("running_seconds", Seconds(status.RunningFor(job)));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>Writes one indented JSON object whose properties <paramref name="writeProperties"/> writes.</summary>
    internal static void WriteJsonObject(TextWriter output, Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            // Output goes to a terminal or a script, never into HTML: keep '+' and non-ASCII readable.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            json.WriteStartObject();
            writeProperties(json);
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private static string PeerName(PeerKind peer) => peer switch
    {
        PeerKind.Server => "server",
        PeerKind.Admin => "admin",
        _ => peer.ToString().ToLowerInvariant(),
    };

    // ISO 8601 in UTC, e.g. 2026-11-24T09:30:00.000Z, whatever the local time zone.
    private static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", Invariant);

    private static double Seconds(TimeSpan duration) => Math.Round(duration.TotalSeconds, 3);
}
