namespace Kmer.Worker;

/// <summary>The SQLSTATEs the worker reports errors with (PostgreSQL's codes).</summary>
public static class SqlStates
{
    /// <summary>invalid_authorization_specification: the peer's OS user may not use the socket.</summary>
    public const string InvalidAuthorization = "28000";

    /// <summary>protocol_violation.</summary>
    public const string ProtocolViolation = "08P01";

    /// <summary>insufficient_privilege: an admin peer tried to run a call.</summary>
    public const string InsufficientPrivilege = "42501";

    /// <summary>undefined_function: no handler of that name.</summary>
    public const string UndefinedFunction = "42883";

    /// <summary>query_canceled: the call was cancelled, or its connection closed.</summary>
    public const string QueryCanceled = "57014";

    /// <summary>admin_shutdown: the worker is stopping.</summary>
    public const string AdminShutdown = "57P01";

    /// <summary>internal_error: a handler failed unexpectedly.</summary>
    public const string InternalError = "XX000";
}
