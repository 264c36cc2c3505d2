using Kmer.Protocol;

namespace Kmer.Worker;

/// <summary>
/// An SPI statement sent by <see cref="HandlerContext.ExecuteSpiAsync(string, IReadOnlyList{object?}, IReadOnlyList{string}, bool, CancellationToken)"/>
/// failed in the caller's session (<c>spi_error</c>). It carries the
/// statement's SQLSTATE, message, detail and hint; a handler that lets it
/// escape ends its call with exactly that error.
/// </summary>
/// <remarks>
/// The caller's transaction is aborted once an SPI statement failed, so the
/// call must end with an error: further SPI requests of the call fail at once
/// with SQLSTATE 25P02 (nothing is sent), and a handler that catches this
/// exception and returns a value still ends the call with this error.
/// </remarks>
public sealed class SpiFailedException : CallFailedException
{
    /// <summary>SQLSTATE in_failed_sql_transaction: an SPI request after an earlier one failed.</summary>
    public const string InFailedSqlTransaction = "25P02";

    /// <summary>Creates the exception for a statement that failed with <paramref name="sqlState"/>.</summary>
    public SpiFailedException(string sqlState, string message, string? detail, string? hint, long seq, string sql)
        : base(sqlState, message, detail, hint)
    {
        Seq = seq;
        Sql = sql;
    }

    /// <summary>The <c>seq</c> of the SPI request that failed.</summary>
    public long Seq { get; }

    /// <summary>The statement that failed.</summary>
    public string Sql { get; }

    internal static SpiFailedException From(SpiError error, string sql) =>
        new(error.SqlState, error.Message, error.Detail, error.Hint, error.Seq, sql);
}
