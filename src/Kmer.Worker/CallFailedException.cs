namespace Kmer.Worker;

/// <summary>
/// Thrown by a handler to end its call with a chosen SQLSTATE, message,
/// detail and hint, which the backend re-raises as they are. Any other
/// exception ends the call with SQLSTATE XX000 and the exception's message
/// (except <c>Npgsql.PostgresException</c>, which crosses with its own
/// SQLSTATE, message, detail and hint).
/// </summary>
/// <remarks>Not sealed: <see cref="SpiFailedException"/> is the failure of an SPI statement.</remarks>
public class CallFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CallFailedException(string sqlState, string message, string? detail = null, string? hint = null, Exception? innerException = null)
        : base(message, innerException)
    {
        if (sqlState is not { Length: 5 } || !sqlState.All(c => c is (>= '0' and <= '9') or (>= 'A' and <= 'Z')))
        {
            throw new ArgumentException($"'{sqlState}' is not a SQLSTATE (5 characters of [0-9A-Z]).", nameof(sqlState));
        }

        SqlState = sqlState;
        Detail = detail;
        Hint = hint;
    }

    /// <summary>The SQLSTATE.</summary>
    public string SqlState { get; }

    /// <summary>Optional DETAIL.</summary>
    public string? Detail { get; }

    /// <summary>Optional HINT.</summary>
    public string? Hint { get; }
}
