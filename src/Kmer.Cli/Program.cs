using Cocona;
using Kmer.Cli;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Cocona is kept here, in WorkerCommands, GenSqlCommands, AnalyzeCommands and PartitionCommands (with their usage filters); everything else is plain services.
var builder = CoconaApp.CreateBuilder(args, options => options.EnableShellCompletionSupport = false);
builder.Logging.ClearProviders();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<StatusProbe>();
builder.Services.AddSingleton(services => new StatusService(services.GetRequiredService<StatusProbe>()));
builder.Services.AddSingleton(_ => new CancelService());
builder.Services.AddSingleton(_ => new DoctorService());
builder.Services.AddSingleton(_ => new BridgedSqlGenerator());
builder.Services.AddSingleton(services => new AnalyzeService(services.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton(services => new PartitionService(services.GetRequiredService<TimeProvider>()));

var app = builder.Build();
app.AddCommands<WorkerCommands>();
app.AddCommands<GenSqlCommands>();
app.AddCommands<AnalyzeCommands>();
app.AddCommands<PartitionCommands>();
await app.RunAsync().ConfigureAwait(false);
