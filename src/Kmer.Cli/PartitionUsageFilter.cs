using Cocona.Command.Binder;
using Cocona.Filters;

namespace Kmer.Cli;

/// <summary>
/// Gives <c>kmer-cli partition</c>, <c>unpartition</c> and <c>index</c> their
/// usage exit code (<see cref="PartitionExitCodes.Usage"/>) for the option
/// errors Cocona finds itself while binding (a value that is not a number, a
/// missing value), which Cocona otherwise reports with exit code 1, the code
/// of a server error.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PartitionUsageFilter : CommandFilterAttribute
{
    public override async ValueTask<int> OnCommandExecutionAsync(CoconaCommandExecutingContext ctx, CommandExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(ctx).ConfigureAwait(false);
        }
        catch (ParameterBinderException ex)
        {
            await Console.Error.WriteLineAsync($"kmer-cli: {ctx.Command.Name}: {Describe(ex)}").ConfigureAwait(false);
            return PartitionExitCodes.Usage;
        }
    }

    private static string Describe(ParameterBinderException exception)
    {
        if (exception.Option is not { } option)
        {
            return exception.Argument is { } argument ? $"{argument.Name}: {exception.Message}" : exception.Message;
        }

        if (exception.Result == ParameterBinderResult.InsufficientOptionValue)
        {
            return $"--{option.Name} needs a value";
        }

        Type type = Nullable.GetUnderlyingType(option.OptionType) ?? option.OptionType;
        return type == typeof(int) && exception.Result == ParameterBinderResult.TypeNotSupported
            ? $"--{option.Name} requires a whole number"
            : $"--{option.Name}: {exception.Message}";
    }
}
