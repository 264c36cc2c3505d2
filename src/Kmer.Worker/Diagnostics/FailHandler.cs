namespace Kmer.Worker.Diagnostics;

/// <summary><c>diagnostics.fail(sqlstate text, message text, detail text, hint text)</c>: ends the call with that error.</summary>
internal sealed class FailHandler : ICallHandler
{
    public const string HandlerName = "diagnostics.fail";

    public ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        string sqlState = DiagnosticArgs.Text(context, 0, "sqlstate");
        string message = DiagnosticArgs.Text(context, 1, "message");
        string? detail = DiagnosticArgs.NullableText(context, 2, "detail");
        string? hint = DiagnosticArgs.NullableText(context, 3, "hint");
        if (sqlState.Length != 5 || !sqlState.All(c => c is (>= '0' and <= '9') or (>= 'A' and <= 'Z')))
        {
            throw new CallFailedException(DiagnosticArgs.InvalidParameterValue, $"\"{sqlState}\" is not a SQLSTATE (5 characters of [0-9A-Z])");
        }

        throw new CallFailedException(sqlState, message, detail, hint);
    }
}
