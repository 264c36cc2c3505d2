namespace Kmer.Worker;

/// <summary>
/// Declares the SQL function that calls this handler. <c>kmer-cli gen-sql</c>
/// reads these attributes (plain reflection) and writes the extension's
/// generated install-script part, <c>sql/90_bridged_functions.sql</c>; the
/// function body is <see cref="Name"/>, the handler name the worker dispatches on.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BridgedFunctionAttribute : Attribute
{
    /// <summary>Declares the function <paramref name="name"/>, which is also the handler name.</summary>
    public BridgedFunctionAttribute(string name) => Name = name;

    /// <summary>The SQL function's name and the handler's name.</summary>
    public string Name { get; }

    /// <summary>The SQL parameter list without parentheses, e.g. <c>table_name text, column_name text</c>.</summary>
    public string Parameters { get; init; } = "";

    /// <summary>The SQL result, e.g. <c>kmersearch_analysis_result</c> or <c>TABLE(deleted_count integer, …)</c>.</summary>
    public string Returns { get; init; } = "void";

    /// <summary><c>VOLATILE</c>, <c>STABLE</c> or <c>IMMUTABLE</c>.</summary>
    public string Volatility { get; init; } = "VOLATILE";

    /// <summary>Whether the function is <c>STRICT</c> (NULL in, NULL out, the handler is not called).</summary>
    public bool Strict { get; init; }

    /// <summary>The function's <c>COMMENT</c>.</summary>
    public string Comment { get; init; } = "";
}
