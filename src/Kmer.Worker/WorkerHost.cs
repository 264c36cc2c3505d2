using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kmer.Worker;

/// <summary>Builds the worker's generic host: configuration, logging, systemd integration, options, socket server and handlers.</summary>
public static class WorkerHost
{
    /// <summary>The prefix of the worker's own environment variables, e.g. <c>KMER_Worker__SocketPath</c>.</summary>
    public const string EnvironmentPrefix = "KMER_";

    /// <summary>
    /// A host builder with everything the worker needs. Configuration, later
    /// sources winning: appsettings.json beside the executable, environment
    /// variables, <c>KMER_</c>-prefixed environment variables, the command line.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,

            // systemd starts the worker in /, so read appsettings.json from beside the executable.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine(args);

        // Type=notify: READY=1 once every hosted service has started (the socket is bound), STOPPING=1 on stop.
        // Outside systemd this does nothing.
        builder.Services.AddSystemd();
        builder.Services.AddKmerWorker(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Registers the options, the job registry, database sessions, the spill
    /// directory, the socket server and the built-in handlers, plus the
    /// <c>diagnostics.*</c> handlers when <c>Worker:EnableDiagnosticHandlers</c> is true.
    /// </summary>
    public static IServiceCollection AddKmerWorker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationSection section = configuration.GetSection(WorkerOptions.SectionName);
        services.AddOptions<WorkerOptions>()
            .Bind(section)
            .PostConfigure(options =>
            {
                options.AdminUsers = section.GetSection(nameof(WorkerOptions.AdminUsers)).GetChildren().Any()
                    ? options.AdminUsers.Where(u => u.Length != 0).ToList()
                    : [.. WorkerOptions.DefaultAdminUsers];
                if (string.IsNullOrEmpty(options.DatabaseUser))
                {
                    options.DatabaseUser = options.ServerUser;
                }

                if (options.DatabaseHost?.Length == 0)
                {
                    options.DatabaseHost = null;
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<WorkerInstance>();
        services.AddSingleton<JobRegistry>();
        services.AddSingleton<DatabaseSessions>();
        services.AddSingleton<SpillDirectory>();
        services.AddHostedService<SocketServer>();
        services.AddCallHandler<WorkerStatusHandler>(WorkerStatusHandler.HandlerName);
        services.AddCallHandler<DeleteTempFilesHandler>(DeleteTempFilesHandler.HandlerName);
        services.AddCallHandler<WorkerCheckHandler>(WorkerCheckHandler.HandlerName);
        services.AddCallHandler<Partitioning.PartitionTableHandler>(Partitioning.PartitionTableHandler.HandlerName);
        services.AddCallHandler<Partitioning.UnpartitionTableHandler>(Partitioning.UnpartitionTableHandler.HandlerName);
        services.AddCallHandler<Partitioning.ParallelIndexHandler>(Partitioning.ParallelIndexHandler.HandlerName);
        services.AddCallHandler<Analysis.HighfreqAnalysisHandler>(Analysis.HighfreqAnalysisHandler.HandlerName);
        services.AddCallHandler<Analysis.UndoHighfreqAnalysisHandler>(Analysis.UndoHighfreqAnalysisHandler.HandlerName);
        if (section.GetValue<bool>(nameof(WorkerOptions.EnableDiagnosticHandlers)))
        {
            Diagnostics.DiagnosticHandlers.Register(services);
        }

        return services;
    }

    /// <summary>Registers <typeparamref name="THandler"/> as the handler named <paramref name="name"/> (one instance for the worker's life).</summary>
    public static IServiceCollection AddCallHandler<THandler>(this IServiceCollection services, string name)
        where THandler : class, ICallHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        services.AddKeyedSingleton<ICallHandler, THandler>(name);
        return services;
    }
}
