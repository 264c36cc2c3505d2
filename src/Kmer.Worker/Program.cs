using Kmer.Worker;
using Microsoft.Extensions.Hosting;

using IHost host = WorkerHost.CreateBuilder(args).Build();
await host.RunAsync().ConfigureAwait(false);
