using Cocona;
using Cocona.Application;

namespace Kmer.Cli;

/// <summary>
/// <c>kmer-cli gen-sql</c> as Cocona sees it: it only turns options into a
/// <see cref="GenSqlOptions"/>; <see cref="BridgedSqlGenerator"/> does the work.
/// </summary>
public sealed class GenSqlCommands
{
    private readonly BridgedSqlGenerator _generator;
    private readonly ICoconaAppContextAccessor _context;

    /// <summary>Creates the command over the generator; <paramref name="context"/> gives Ctrl-C's cancellation.</summary>
    public GenSqlCommands(BridgedSqlGenerator generator, ICoconaAppContextAccessor context)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(context);
        _generator = generator;
        _context = context;
    }

    /// <summary><c>kmer-cli gen-sql</c>.</summary>
    [Command("gen-sql", Description = "Write the SQL declarations of the bridged functions (" + BridgedSqlGenerator.DefaultPath + ") from the worker handlers' [BridgedFunction] attributes: to stdout, to FILE with --output, or compare them with FILE with --check. Exit 0 written or equal, 1 FILE differs, 2 invalid attributes or a file error.")]
    public async Task<int> GenSqlAsync(
        [Option("output", Description = "Write FILE (only when its content changes) instead of stdout", ValueName = "FILE")] string? output = null,
        [Option("check", Description = "Compare FILE with the generated SQL; exit 1 and show the difference when they differ", ValueName = "FILE")] string? check = null)
    {
        if (output is not null && check is not null)
        {
            await Console.Error.WriteLineAsync("kmer-cli: gen-sql takes --output or --check, not both").ConfigureAwait(false);
            return WorkerCommands.UsageError;
        }

        var options = new GenSqlOptions(output, check);
        return await _generator.RunAsync(options, Console.Out, Console.Error, _context.Current?.CancellationToken ?? CancellationToken.None).ConfigureAwait(false);
    }
}
