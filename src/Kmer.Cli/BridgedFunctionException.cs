namespace Kmer.Cli;

/// <summary>
/// A <c>[BridgedFunction]</c> attribute that cannot be declared in SQL: a bad
/// name, volatility or parameter list, a duplicate name, or an attribute on a
/// class that is not a handler. The message names the class.
/// </summary>
public sealed class BridgedFunctionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BridgedFunctionException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public BridgedFunctionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public BridgedFunctionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
