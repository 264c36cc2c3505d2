using System.Globalization;
using Kmer.Protocol;

namespace Kmer.Worker.Partitioning;

/// <summary>
/// The caller's session as the partition handlers use it: every statement is
/// an SPI request in the caller's transaction (never read-only, so each one
/// sees what the previous ones did), the call's token is checked before each
/// one, and rows come back as <see cref="SpiRow"/>s.
/// </summary>
internal sealed class SpiSession
{
    private readonly HandlerContext _context;

    public SpiSession(HandlerContext context, CancellationToken cancellationToken)
    {
        _context = context;
        CancellationToken = cancellationToken;
    }

    /// <summary>The call's token: a cancel ends the call between (or during) statements.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The call.</summary>
    public HandlerContext Context => _context;

    /// <summary>How many statements this call sent.</summary>
    public int StatementCount { get; private set; }

    /// <summary>Runs a statement and returns the rows it affected or returned.</summary>
    public async Task<long> ExecuteAsync(string sql, params SpiArg[] args)
    {
        SpiResult result = await SendAsync(sql, args).ConfigureAwait(false);
        return result.RowsAffected;
    }

    /// <summary>Runs a query and returns its rows.</summary>
    public async Task<IReadOnlyList<SpiRow>> QueryAsync(string sql, params SpiArg[] args)
    {
        SpiResult result = await SendAsync(sql, args).ConfigureAwait(false);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < result.Columns.Count; i++)
        {
            index.TryAdd(result.Columns[i], i);
        }

        return [.. result.Rows.Select(r => new SpiRow(index, r))];
    }

    /// <summary>Runs a query that returns at most one row.</summary>
    public async Task<SpiRow?> QuerySingleAsync(string sql, params SpiArg[] args)
    {
        IReadOnlyList<SpiRow> rows = await QueryAsync(sql, args).ConfigureAwait(false);
        return rows.Count switch
        {
            0 => null,
            1 => rows[0],
            _ => throw new InvalidOperationException($"expected at most one row, got {rows.Count}: {sql}"),
        };
    }

    /// <summary>Sends a notice to the caller.</summary>
    public ValueTask NoticeAsync(NoticeLevel level, string message, string? detail = null, string? hint = null) =>
        _context.SendNoticeAsync(level, message, detail, hint, CancellationToken);

    private async Task<SpiResult> SendAsync(string sql, SpiArg[] args)
    {
        CancellationToken.ThrowIfCancellationRequested();
        StatementCount++;
        return await _context.ExecuteSpiAsync(
            sql,
            [.. args.Select(a => a.Value)],
            [.. args.Select(a => a.Type)],
            readOnly: false,
            CancellationToken).ConfigureAwait(false);
    }
}

/// <summary>One typed parameter of an SPI statement.</summary>
internal readonly record struct SpiArg(object? Value, string Type)
{
    public static SpiArg Text(string? value) => new(value, "text");

    public static SpiArg Oid(long value) => new(value, "oid");

    public static SpiArg Int(long value) => new(value, "int8");
}

/// <summary>One row of an SPI result, read by column name.</summary>
internal sealed class SpiRow
{
    private readonly Dictionary<string, int> _index;
    private readonly IReadOnlyList<object?> _values;

    public SpiRow(Dictionary<string, int> index, IReadOnlyList<object?> values)
    {
        _index = index;
        _values = values;
    }

    public object? this[string column] =>
        _index.TryGetValue(column, out int i) ? _values[i] : throw new KeyNotFoundException($"no column \"{column}\" in the SPI result");

    public bool IsNull(string column) => this[column] is null;

    public string Text(string column) =>
        NullableText(column) ?? throw new InvalidOperationException($"column \"{column}\" is NULL");

    public string? NullableText(string column) => this[column] switch
    {
        null => null,
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        object o => o.ToString(),
    };

    public long Long(string column) => NullableLong(column) ?? throw new InvalidOperationException($"column \"{column}\" is NULL");

    public long? NullableLong(string column) => this[column] switch
    {
        null => null,
        long l => l,
        int i => i,
        ulong u => checked((long)u),
        double d => checked((long)d),
        string s => long.Parse(s, CultureInfo.InvariantCulture),
        object o => throw new InvalidOperationException($"column \"{column}\" is a {o.GetType().Name}, not an integer"),
    };

    public bool Bool(string column) => this[column] switch
    {
        bool b => b,
        null => throw new InvalidOperationException($"column \"{column}\" is NULL"),
        object o => throw new InvalidOperationException($"column \"{column}\" is a {o.GetType().Name}, not a boolean"),
    };

    /// <summary>A text[] column (NULL is an empty list; NULL elements are skipped).</summary>
    public IReadOnlyList<string> TextArray(string column) => this[column] switch
    {
        null => [],
        IEnumerable<object?> items => [.. items.OfType<string>()],
        object o => throw new InvalidOperationException($"column \"{column}\" is a {o.GetType().Name}, not an array"),
    };
}
