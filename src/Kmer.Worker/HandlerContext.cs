using Kmer.Protocol;

namespace Kmer.Worker;

/// <summary>What a handler gets besides its token: the call, its job, and the way back to the caller.</summary>
public sealed class HandlerContext
{
    private readonly FrameWriter _writer;
    private readonly SpiChannel _spi;

    internal HandlerContext(Call call, Job job, FrameWriter writer, SpiChannel spi)
    {
        Call = call;
        Job = job;
        _writer = writer;
        _spi = spi;
    }

    /// <summary>The call message: handler, arguments and the caller's session.</summary>
    public Call Call { get; }

    /// <summary>The job this call runs as.</summary>
    public Job Job { get; }

    /// <summary>Sets the job's progress shown by <c>status</c> (0 to 1, or null when unknown).</summary>
    public void ReportProgress(double? fraction) => Job.Progress = fraction;

    /// <summary>Sends a <c>notice</c> for this call, raised in the caller's session at <paramref name="level"/>.</summary>
    public ValueTask SendNoticeAsync(NoticeLevel level, string message, string? detail = null, string? hint = null, CancellationToken cancellationToken = default) =>
        _writer.WriteMessageAsync(new Notice(Call.Id, level, message, detail, hint), cancellationToken);

    /// <summary>
    /// Runs <paramref name="sql"/> in the caller's session and transaction
    /// (an <c>spi</c> message) and waits for its result. The caller's role and
    /// privileges apply, and a ROLLBACK of the caller's transaction undoes it.
    /// </summary>
    /// <param name="sql">One statement, with <c>$1</c>… placeholders.</param>
    /// <param name="parameters">The parameter values as MessagePack natives (null, bool, integers, floating point, string, byte[], arrays of those).</param>
    /// <param name="parameterTypes">One PostgreSQL type name per parameter, e.g. <c>text</c>, <c>int8</c>, <c>int8[]</c>.</param>
    /// <param name="readOnly">Whether the statement must not write (the backend runs it read-only).</param>
    /// <param name="cancellationToken">Stops waiting; the call then ends with 57014 as any cancelled call.</param>
    /// <returns>The <c>spi_result</c>: rows affected or returned, column names and rows.</returns>
    /// <exception cref="SpiFailedException">
    /// The statement failed (<c>spi_error</c>); uncaught, it ends the call with
    /// that SQLSTATE, message, detail and hint. The caller's transaction is
    /// aborted: later SPI requests of the call fail with 25P02 without being sent.
    /// </exception>
    /// <exception cref="InvalidOperationException">Another SPI request of this call is still waiting for its answer.</exception>
    /// <exception cref="ArgumentException">The parameter and type counts differ, or a value cannot cross the bridge.</exception>
    public ValueTask<SpiResult> ExecuteSpiAsync(
        string sql,
        IReadOnlyList<object?> parameters,
        IReadOnlyList<string> parameterTypes,
        bool readOnly,
        CancellationToken cancellationToken) =>
        _spi.ExecuteAsync(sql, parameters, parameterTypes, readOnly, cancellationToken);

    /// <summary>Runs <paramref name="sql"/>, which has no parameters, in the caller's transaction; see the overload with parameters.</summary>
    public ValueTask<SpiResult> ExecuteSpiAsync(string sql, bool readOnly, CancellationToken cancellationToken) =>
        _spi.ExecuteAsync(sql, [], [], readOnly, cancellationToken);
}
