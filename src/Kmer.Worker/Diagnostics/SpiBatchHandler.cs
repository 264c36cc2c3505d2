using System.Globalization;
using Kmer.Protocol;

namespace Kmer.Worker.Diagnostics;

/// <summary>
/// <c>diagnostics.spi_batch(table text, batches int, rows_per_batch int)</c>:
/// inserts ids 1..batches×rows_per_batch with label "row &lt;id&gt;" into
/// <c>table</c> (an already quoted, qualified name, spliced as it is), one SPI
/// <c>INSERT … SELECT * FROM unnest($1::int8[], $2::text[])</c> per batch;
/// returns the total rows affected (bigint).
/// </summary>
internal sealed class SpiBatchHandler : ICallHandler
{
    public const string HandlerName = "diagnostics.spi_batch";

    private static readonly string[] ParameterTypes = ["int8[]", "text[]"];

    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        string table = DiagnosticArgs.Text(context, 0, "table");
        long batches = DiagnosticArgs.Integer(context, 1, "batches");
        long rowsPerBatch = DiagnosticArgs.Integer(context, 2, "rows_per_batch");
        if (batches < 0 || rowsPerBatch is < 0 or > int.MaxValue)
        {
            throw new CallFailedException(DiagnosticArgs.InvalidParameterValue, "batches and rows_per_batch must not be negative");
        }

        string sql = $"INSERT INTO {table} (id, label) SELECT * FROM unnest($1::int8[], $2::text[])";
        long total = 0;
        for (long batch = 0; batch < batches; batch++)
        {
            var ids = new long[rowsPerBatch];
            var labels = new string[rowsPerBatch];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = (batch * rowsPerBatch) + i + 1;
                labels[i] = string.Create(CultureInfo.InvariantCulture, $"row {ids[i]}");
            }

            SpiResult result = await context.ExecuteSpiAsync(sql, [ids, labels], ParameterTypes, readOnly: false, cancellationToken).ConfigureAwait(false);
            total += result.RowsAffected;
            context.ReportProgress((double)(batch + 1) / batches);
        }

        return total;
    }
}
