using Kmer.Protocol;

namespace Kmer.Worker.Diagnostics;

/// <summary><c>diagnostics.spi(sql text, read_only boolean)</c>: runs the statement in the caller's transaction; returns its rows affected (bigint).</summary>
internal sealed class SpiHandler : ICallHandler
{
    public const string HandlerName = "diagnostics.spi";

    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        string sql = DiagnosticArgs.Text(context, 0, "sql");
        bool readOnly = DiagnosticArgs.Boolean(context, 1, "read_only");
        SpiResult result = await context.ExecuteSpiAsync(sql, readOnly, cancellationToken).ConfigureAwait(false);
        return result.RowsAffected;
    }
}
