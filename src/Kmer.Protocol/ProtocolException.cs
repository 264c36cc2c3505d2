using System.Globalization;

namespace Kmer.Protocol;

/// <summary>
/// The bridge peer broke the protocol (bad frame, malformed or unknown
/// message), or a message could not be sent. Carries the SQLSTATE, detail and
/// hint that the error is reported with; after a violation the connection
/// must be closed.
/// </summary>
public sealed class ProtocolException : Exception
{
    /// <summary>SQLSTATE of every protocol violation (PostgreSQL's protocol_violation).</summary>
    public const string ProtocolViolation = "08P01";

    /// <summary>SQLSTATE for a message too large for one frame (program_limit_exceeded).</summary>
    public const string ProgramLimitExceeded = "54000";

    /// <summary>Creates an exception with the given SQLSTATE and texts.</summary>
    public ProtocolException(string sqlState, string message, string? detail = null, string? hint = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(sqlState);
        SqlState = sqlState;
        Detail = detail;
        Hint = hint;
    }

    /// <summary>The five-character SQLSTATE code.</summary>
    public string SqlState { get; }

    /// <summary>Secondary explanation (PostgreSQL's DETAIL), if any.</summary>
    public string? Detail { get; }

    /// <summary>What the user can do about it (PostgreSQL's HINT), if any.</summary>
    public string? Hint { get; }

    // Interpolated texts are formatted with the invariant culture, so numbers
    // read the same whatever the worker's locale.
    internal static ProtocolException Violation(FormattableString message, FormattableString? detail = null, Exception? innerException = null) =>
        new(ProtocolViolation,
            message.ToString(CultureInfo.InvariantCulture),
            detail?.ToString(CultureInfo.InvariantCulture),
            hint: null,
            innerException);
}
