using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Kmer.Worker;

/// <summary>Checks <see cref="WorkerOptions"/> at start-up, so a bad setting stops the worker with a clear message.</summary>
internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    internal const int MaxSocketPathBytes = 107;

    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        string key = WorkerOptions.SectionName;

        if (string.IsNullOrWhiteSpace(options.SocketPath))
        {
            failures.Add($"{key}:SocketPath is empty; set it to the absolute path of the worker's Unix socket.");
        }
        else if (!Path.IsPathFullyQualified(options.SocketPath))
        {
            failures.Add($"{key}:SocketPath '{options.SocketPath}' is not an absolute path.");
        }
        else if (Encoding.UTF8.GetByteCount(options.SocketPath) > MaxSocketPathBytes)
        {
            failures.Add($"{key}:SocketPath '{options.SocketPath}' is longer than the {MaxSocketPathBytes} bytes a Unix socket path may have.");
        }
        else if (options.SocketPath.EndsWith('/'))
        {
            failures.Add($"{key}:SocketPath '{options.SocketPath}' names a directory; it must name the socket file.");
        }

        if (string.IsNullOrWhiteSpace(options.ServerUser))
        {
            failures.Add($"{key}:ServerUser is empty; set it to the OS user the PostgreSQL server runs as.");
        }
        else if (options.ServerUser.Trim() != options.ServerUser)
        {
            failures.Add($"{key}:ServerUser '{options.ServerUser}' has leading or trailing white space.");
        }

        foreach (string user in options.AdminUsers)
        {
            if (string.IsNullOrWhiteSpace(user) || user.Trim() != user)
            {
                failures.Add($"{key}:AdminUsers entry '{user}' is not a valid user name.");
            }
        }

        if (options.PoolSize is < WorkerOptions.MinPoolSize or > WorkerOptions.MaxPoolSize)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{key}:PoolSize {options.PoolSize} is out of range; it must be between {WorkerOptions.MinPoolSize} and {WorkerOptions.MaxPoolSize}."));
        }

        if (options.DatabaseUser is not null && (string.IsNullOrWhiteSpace(options.DatabaseUser) || options.DatabaseUser.Trim() != options.DatabaseUser))
        {
            failures.Add($"{key}:DatabaseUser '{options.DatabaseUser}' is not a valid role name.");
        }

        if (options.DatabaseHost is not null && (string.IsNullOrWhiteSpace(options.DatabaseHost) || options.DatabaseHost.Trim() != options.DatabaseHost))
        {
            failures.Add($"{key}:DatabaseHost '{options.DatabaseHost}' is not a valid host name or socket directory.");
        }

        if (options.DatabasePort is < 1 or > 65535)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:DatabasePort {options.DatabasePort} is not a TCP port (1 to 65535)."));
        }

        if (string.IsNullOrWhiteSpace(options.SpillDirectory))
        {
            failures.Add($"{key}:SpillDirectory is empty; set it to the absolute path of the directory for the jobs' temporary files.");
        }
        else if (!Path.IsPathFullyQualified(options.SpillDirectory))
        {
            failures.Add($"{key}:SpillDirectory '{options.SpillDirectory}' is not an absolute path.");
        }

        if (options.AnalysisMemoryLimitMB is < 1 or > WorkerOptions.MaxAnalysisMemoryLimitMB)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{key}:AnalysisMemoryLimitMB {options.AnalysisMemoryLimitMB} is out of range; it must be between 1 and {WorkerOptions.MaxAnalysisMemoryLimitMB}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
