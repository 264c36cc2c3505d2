namespace Kmer.Cli;

/// <summary>
/// One bridged SQL function as <c>kmer-cli gen-sql</c> declares it: a handler
/// class's <c>[BridgedFunction]</c> attribute, validated, with the parameter
/// types its <c>COMMENT ON FUNCTION</c> signature needs.
/// </summary>
/// <param name="Name">The SQL function's name, also the handler name its body names.</param>
/// <param name="Parameters">The parameter declarations (<c>name type [DEFAULT …]</c>), each trimmed.</param>
/// <param name="ParameterTypes">The parameter types alone, whitespace collapsed: the function's signature.</param>
/// <param name="Returns">The <c>RETURNS</c> clause's text, as written.</param>
/// <param name="Volatility"><c>VOLATILE</c>, <c>STABLE</c> or <c>IMMUTABLE</c>.</param>
/// <param name="Strict">Whether the function is <c>STRICT</c>.</param>
/// <param name="Comment">The function's comment; empty for none.</param>
/// <param name="HandlerType">The handler class that carries the attribute.</param>
public sealed record BridgedFunction(
    string Name,
    IReadOnlyList<string> Parameters,
    IReadOnlyList<string> ParameterTypes,
    string Returns,
    string Volatility,
    bool Strict,
    string Comment,
    Type HandlerType)
{
    /// <summary>The signature that names the function in <c>COMMENT ON FUNCTION</c>, e.g. <c>f(text, integer)</c>.</summary>
    public string Signature => $"{Name}({string.Join(", ", ParameterTypes)})";
}
