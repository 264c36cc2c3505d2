using System.Globalization;

namespace Kmer.Worker.Diagnostics;

/// <summary>
/// <c>diagnostics.rows(n int, label text)</c>: a set of <c>n</c> rows
/// <c>{i bigint, label text, half double precision, even boolean, tags text[]}</c>
/// with <c>i</c> = 1..n, <c>label</c> = "label i", <c>half</c> = i/2,
/// <c>tags</c> = {"t&lt;i&gt;", NULL}.
/// </summary>
internal sealed class RowsHandler : ICallHandler
{
    public const string HandlerName = "diagnostics.rows";

    public ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        long count = DiagnosticArgs.Integer(context, 0, "n");
        string label = DiagnosticArgs.Text(context, 1, "label");
        if (count is < 0 or > int.MaxValue)
        {
            throw new CallFailedException(DiagnosticArgs.InvalidParameterValue, string.Create(CultureInfo.InvariantCulture, $"n must be between 0 and {int.MaxValue}, not {count}"));
        }

        var rows = new List<Dictionary<string, object?>>((int)count);
        for (long i = 1; i <= count; i++)
        {
            if (i % 4096 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            rows.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["i"] = i,
                ["label"] = string.Create(CultureInfo.InvariantCulture, $"{label} {i}"),
                ["half"] = i / 2.0,
                ["even"] = i % 2 == 0,
                ["tags"] = new string?[] { string.Create(CultureInfo.InvariantCulture, $"t{i}"), null },
            });
        }

        return ValueTask.FromResult<object?>(rows);
    }
}
