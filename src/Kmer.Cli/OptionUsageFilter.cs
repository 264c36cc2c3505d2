using Cocona.Command.Binder;
using Cocona.Filters;

namespace Kmer.Cli;

/// <summary>
/// Gives the commands that talk to the server (<c>analyze</c>,
/// <c>partition</c>, <c>unpartition</c>, <c>index</c>) their usage exit code
/// (<see cref="AnalyzeExitCodes.Usage"/>, also <see cref="PartitionExitCodes.Usage"/>)
/// for the option errors Cocona finds itself while binding (a value that is
/// not a number, a missing value), which Cocona otherwise reports with exit
/// code 1, the code of a server error.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class OptionUsageFilter : CommandFilterAttribute
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
            return AnalyzeExitCodes.Usage;
        }
    }

    // Cocona says "Option 'port' requires Nullable`1 value. 'x' cannot be converted to Nullable`1 value."
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
        string? expected = type == typeof(int) ? "a whole number" : type == typeof(double) ? "a number" : null;
        return expected is not null && exception.Result == ParameterBinderResult.TypeNotSupported
            ? $"--{option.Name} requires {expected}"
            : $"--{option.Name}: {exception.Message}";
    }
}
