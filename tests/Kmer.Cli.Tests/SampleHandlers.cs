using Kmer.Worker;

namespace Kmer.Cli.Tests;

/// <summary>Handler classes with good and bad [BridgedFunction] attributes, for the generator's tests.</summary>
internal static class SampleHandlers
{
    public abstract class Handler : ICallHandler
    {
        public ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken) => ValueTask.FromResult<object?>(null);
    }

    [BridgedFunction("kmersearch_delete_tempfiles",
        Returns = "TABLE(deleted_count integer, deleted_size bigint, error_count integer)",
        Strict = true,
        Comment = "Deletes the worker's spill files; it's safe while no job runs.")]
    public sealed class DeleteTempFiles : Handler;

    [BridgedFunction("kmersearch_analyze",
        Parameters = "table_name text, column_name text, k integer DEFAULT 16, rate double precision = 0.5",
        Returns = "SETOF kmersearch_analysis_result",
        Volatility = "STABLE")]
    public sealed class Analyze : Handler;

    [BridgedFunction("kmersearch_zz_last", Comment = "last")]
    public sealed class Last : Handler;

    // Not declared: no attribute.
    public sealed class Undeclared : Handler;

    [BridgedFunction("Kmersearch_Upper")]
    public sealed class UpperCaseName : Handler;

    [BridgedFunction("kmersearch_bad_volatility", Volatility = "volatile")]
    public sealed class LowerCaseVolatility : Handler;

    [BridgedFunction("kmersearch_bad_parameters", Parameters = "OUT n integer")]
    public sealed class ParameterMode : Handler;

    [BridgedFunction("kmersearch_analyze")]
    public sealed class DuplicateOfAnalyze : Handler;

    [BridgedFunction("kmersearch_not_a_handler")]
    public sealed class NotAHandler;

    [BridgedFunction("kmersearch_abstract")]
    public abstract class AbstractHandler : Handler;
}
