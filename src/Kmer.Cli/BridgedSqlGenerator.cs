using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Kmer.Worker;

namespace Kmer.Cli;

/// <summary>
/// <c>kmer-cli gen-sql</c>: declares the bridged SQL functions from the
/// <c>[BridgedFunction]</c> attributes of the worker's handler classes, found
/// by plain reflection over the Kmer.Worker assembly (non-abstract classes
/// implementing <see cref="ICallHandler"/>). The output is the extension's
/// install-script part <c>sql/90_bridged_functions.sql</c>: deterministic
/// (ordered by function name, LF line endings, no timestamps), so the
/// checked-in file can be compared with it.
/// </summary>
public sealed partial class BridgedSqlGenerator
{
    /// <summary>The checked-in file, relative to the repository root.</summary>
    public const string DefaultPath = "sql/90_bridged_functions.sql";

    /// <summary>The command that regenerates <see cref="DefaultPath"/> from the repository root.</summary>
    public const string RegenerateCommand = "dotnet run --project src/Kmer.Cli -c Release -- gen-sql --output " + DefaultPath;

    /// <summary>The procedural language whose call handler (bridge-ext) forwards calls to the worker pool.</summary>
    public const string Language = "kmersearch_bridge";

    /// <summary>Exit code: the file was written, is up to date, or the SQL went to stdout.</summary>
    public const int Success = 0;

    /// <summary>Exit code of <c>--check</c>: the file differs from the generator's output (or is missing).</summary>
    public const int Differs = 1;

    /// <summary>Exit code: an attribute is invalid, or a file could not be read or written.</summary>
    public const int Failed = 2;

    private const int MaxIdentifierLength = 63;

    private static readonly string[] Volatilities = ["VOLATILE", "STABLE", "IMMUTABLE"];
    private static readonly string[] ParameterModes = ["in", "out", "inout", "variadic"];
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Func<IEnumerable<Type>> _types;

    /// <summary>Creates the generator.</summary>
    /// <param name="types">The types to scan; the Kmer.Worker assembly's when null.</param>
    public BridgedSqlGenerator(IEnumerable<Type>? types = null)
    {
        _types = types is null ? () => WorkerTypes(typeof(ICallHandler).Assembly) : () => types;
    }

    /// <summary>The validated declarations, ordered by function name.</summary>
    /// <exception cref="BridgedFunctionException">An attribute is invalid; the message names every bad class.</exception>
    public IReadOnlyList<BridgedFunction> Declare()
    {
        List<string> errors = [];
        List<BridgedFunction> functions = [];
        foreach (Type type in _types().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            BridgedFunctionAttribute? attribute = type.GetCustomAttribute<BridgedFunctionAttribute>(inherit: false);
            if (attribute is null)
            {
                continue;
            }

            if (!type.IsClass || type.IsAbstract || !typeof(ICallHandler).IsAssignableFrom(type))
            {
                errors.Add($"{type.FullName}: [BridgedFunction] is on a type that is not a non-abstract class implementing {nameof(ICallHandler)}");
                continue;
            }

            if (Validate(type, attribute, errors) is { } function)
            {
                functions.Add(function);
            }
        }

        foreach (IGrouping<string, BridgedFunction> duplicate in functions.GroupBy(f => f.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"{string.Join(", ", duplicate.Select(f => f.HandlerType.FullName))}: [BridgedFunction] name '{duplicate.Key}' is declared more than once");
        }

        if (errors.Count > 0)
        {
            throw new BridgedFunctionException(string.Join('\n', errors));
        }

        return [.. functions.OrderBy(f => f.Name, StringComparer.Ordinal)];
    }

    /// <summary>The SQL file's content for the scanned types.</summary>
    /// <exception cref="BridgedFunctionException">An attribute is invalid.</exception>
    public string Generate() => Render(Declare());

    /// <summary>
    /// Runs <c>kmer-cli gen-sql</c>: writes the SQL to <paramref name="stdout"/>;
    /// with <see cref="GenSqlOptions.OutputPath"/> writes that file when its
    /// content changes; with <see cref="GenSqlOptions.CheckPath"/> compares that
    /// file with the output and reports a difference as a short unified diff on
    /// <paramref name="stderr"/>. Returns <see cref="Success"/>,
    /// <see cref="Differs"/> or <see cref="Failed"/>.
    /// </summary>
    public async Task<int> RunAsync(GenSqlOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        IReadOnlyList<BridgedFunction> functions;
        try
        {
            functions = Declare();
        }
        catch (BridgedFunctionException ex)
        {
            await stderr.WriteAsync($"kmer-cli: gen-sql: invalid [BridgedFunction] attributes:\n  {ex.Message.Replace("\n", "\n  ", StringComparison.Ordinal)}\n").ConfigureAwait(false);
            return Failed;
        }

        string sql = Render(functions);
        string summary = functions.Count == 0 ? "no functions" : $"{functions.Count} function(s): {string.Join(", ", functions.Select(f => f.Name))}";
        try
        {
            if (options.CheckPath is { } check)
            {
                return await CheckAsync(check, sql, summary, stdout, stderr, cancellationToken).ConfigureAwait(false);
            }

            if (options.OutputPath is { } output)
            {
                byte[] bytes = Utf8.GetBytes(sql);
                if (File.Exists(output) && (await File.ReadAllBytesAsync(output, cancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(bytes))
                {
                    await stdout.WriteAsync($"{output}: up to date, {summary}\n").ConfigureAwait(false);
                }
                else
                {
                    await File.WriteAllBytesAsync(output, bytes, cancellationToken).ConfigureAwait(false);
                    await stdout.WriteAsync($"{output}: written, {summary}\n").ConfigureAwait(false);
                }

                return Success;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteAsync($"kmer-cli: gen-sql: {ex.Message}\n").ConfigureAwait(false);
            return Failed;
        }

        await stdout.WriteAsync(sql).ConfigureAwait(false);
        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
        return Success;
    }

    private static async Task<int> CheckAsync(string path, string sql, string summary, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            await stderr.WriteAsync($"kmer-cli: gen-sql: {path} does not exist; write it with: kmer-cli gen-sql --output {path}\n").ConfigureAwait(false);
            return Differs;
        }

        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (bytes.AsSpan().SequenceEqual(Utf8.GetBytes(sql)))
        {
            await stdout.WriteAsync($"{path}: up to date, {summary}\n").ConfigureAwait(false);
            return Success;
        }

        string diff = LineDiff.Unified(Encoding.UTF8.GetString(bytes), sql, path, "kmer-cli gen-sql");
        await stderr.WriteAsync(
            $"kmer-cli: gen-sql: {path} differs from the [BridgedFunction] attributes; regenerate it: "
            + $"kmer-cli gen-sql --output {path} (from the repository root: make gen-sql)\n{diff}").ConfigureAwait(false);
        return Differs;
    }

    /// <summary>The SQL file's content for <paramref name="functions"/>, in the order given.</summary>
    public static string Render(IEnumerable<BridgedFunction> functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var sql = new StringBuilder();
        sql.Append("-- Generated by `kmer-cli gen-sql` from the [BridgedFunction] attributes of the\n")
            .Append("-- handlers in src/Kmer.Worker. Do not edit this file by hand: change the\n")
            .Append("-- attribute, then run `make gen-sql`; a test fails when the file drifts.\n")
            .Append("--\n")
            .Append("-- Bridged functions are LANGUAGE ").Append(Language).Append(" (sql/85_bridge_language.sql); each\n")
            .Append("-- body names the .NET handler the worker pool runs. All are PARALLEL UNSAFE:\n")
            .Append("-- a call runs SPI in the caller's transaction and exports its snapshot.\n");
        foreach (BridgedFunction function in functions)
        {
            sql.Append('\n')
                .Append("CREATE FUNCTION ").Append(function.Name).Append('(').AppendJoin(", ", function.Parameters).Append(")\n")
                .Append("    RETURNS ").Append(function.Returns).Append('\n')
                .Append("    LANGUAGE ").Append(Language).Append(' ').Append(function.Volatility)
                .Append(function.Strict ? " STRICT" : "").Append(" PARALLEL UNSAFE\n")
                .Append("    AS ").Append(QuoteLiteral(function.Name)).Append(";\n");
            if (function.Comment.Length > 0)
            {
                sql.Append("COMMENT ON FUNCTION ").Append(function.Signature).Append(" IS ").Append(QuoteLiteral(function.Comment)).Append(";\n");
            }
        }

        return sql.ToString();
    }

    /// <summary>A SQL string literal: <paramref name="text"/> in single quotes, each single quote doubled, line endings LF.</summary>
    public static string QuoteLiteral(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return "'" + text.ReplaceLineEndings("\n").Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// Splits a parameter list (<c>name type [DEFAULT expr | = expr], …</c>) at
    /// its top-level commas (not inside parentheses, brackets or quotes) and
    /// trims each declaration; an empty or blank list has none.
    /// </summary>
    /// <exception cref="FormatException">A declaration is empty, or quotes or parentheses are unbalanced.</exception>
    public static IReadOnlyList<string> SplitParameters(string parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (string.IsNullOrWhiteSpace(parameters))
        {
            return [];
        }

        List<string> declarations = [];
        var scanner = new Scanner(parameters);
        int start = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            if (scanner.Step(i) && parameters[i] == ',')
            {
                declarations.Add(NonEmpty(parameters[start..i]));
                start = i + 1;
            }
        }

        scanner.End();
        declarations.Add(NonEmpty(parameters[start..]));
        return declarations;

        static string NonEmpty(string declaration) =>
            declaration.Trim() is { Length: > 0 } trimmed ? trimmed : throw new FormatException("empty parameter declaration (stray comma)");
    }

    /// <summary>
    /// The type of each parameter in <paramref name="parameters"/>, for the
    /// function's signature: the name is dropped, so is a <c>DEFAULT</c> or
    /// <c>=</c> clause, and runs of whitespace become one space
    /// (<c>x double  precision DEFAULT 0.5</c> → <c>double precision</c>).
    /// </summary>
    /// <exception cref="FormatException">A declaration is not <c>name type</c>, or uses a mode (IN, OUT, INOUT, VARIADIC).</exception>
    public static IReadOnlyList<string> ParameterTypes(string parameters) =>
        [.. SplitParameters(parameters).Select(ParameterType)];

    private static string ParameterType(string declaration)
    {
        Match name = LeadingWord().Match(declaration);
        string first = name.Groups[1].Value;
        if (ParameterModes.Contains(first, StringComparer.OrdinalIgnoreCase))
        {
            throw new FormatException($"parameter '{declaration}': modes (IN, OUT, INOUT, VARIADIC) are not supported, write 'name type'");
        }

        if (!name.Success || !Identifier().IsMatch(first))
        {
            throw new FormatException($"parameter '{declaration}': expected 'name type' with a lowercase name ([a-z_][a-z0-9_]*)");
        }

        string rest = declaration[name.Length..];
        var scanner = new Scanner(rest);
        int end = rest.Length;
        for (int i = 0; i < rest.Length; i++)
        {
            if (!scanner.Step(i))
            {
                continue;
            }

            if (rest[i] == '=' || IsDefaultKeyword(rest, i))
            {
                end = i;
                break;
            }
        }

        string type = Whitespace().Replace(rest[..end].Trim(), " ");
        return type.Length > 0 ? type : throw new FormatException($"parameter '{declaration}': expected 'name type', the type is missing");
    }

    // "DEFAULT" as a whole word at text[i] (text starts after the name and its whitespace).
    private static bool IsDefaultKeyword(string text, int i)
    {
        const string keyword = "default";
        return (i == 0 || char.IsWhiteSpace(text[i - 1]))
            && string.Compare(text, i, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) == 0
            && (i + keyword.Length == text.Length || char.IsWhiteSpace(text[i + keyword.Length]));
    }

    private static BridgedFunction? Validate(Type type, BridgedFunctionAttribute attribute, List<string> errors)
    {
        string where = $"{type.FullName}: [BridgedFunction(\"{attribute.Name}\")]";
        int before = errors.Count;
        if (!IsIdentifier(attribute.Name))
        {
            errors.Add($"{where}: the name, which is also the handler name, must be a lowercase identifier ([a-z_][a-z0-9_]*, at most {MaxIdentifierLength} characters)");
        }

        if (!Volatilities.Contains(attribute.Volatility, StringComparer.Ordinal))
        {
            errors.Add($"{where}: Volatility '{attribute.Volatility}' must be one of {string.Join(", ", Volatilities)}");
        }

        if (string.IsNullOrWhiteSpace(attribute.Returns) || attribute.Returns.Contains(';', StringComparison.Ordinal))
        {
            errors.Add($"{where}: Returns '{attribute.Returns}' must be a SQL result type (e.g. void, integer, SETOF …, TABLE(…))");
        }

        IReadOnlyList<string> parameters = [];
        IReadOnlyList<string> types = [];
        try
        {
            parameters = SplitParameters(attribute.Parameters);
            types = ParameterTypes(attribute.Parameters);
        }
        catch (FormatException ex)
        {
            errors.Add($"{where}: Parameters: {ex.Message}");
        }

        return errors.Count > before
            ? null
            : new BridgedFunction(attribute.Name, parameters, types, attribute.Returns.Trim(), attribute.Volatility, attribute.Strict, attribute.Comment, type);
    }

    /// <summary>Whether <paramref name="name"/> is a lowercase SQL identifier that needs no quoting: <c>[a-z_][a-z0-9_]*</c>, at most 63 characters.</summary>
    public static bool IsIdentifier(string? name) =>
        name is { Length: > 0 and <= MaxIdentifierLength } && Identifier().IsMatch(name);

    private static IEnumerable<Type> WorkerTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            string reasons = string.Join("; ", ex.LoaderExceptions.Select(e => e?.Message).Distinct());
            throw new BridgedFunctionException($"cannot load the types of {assembly.GetName().Name}: {reasons}", ex);
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^\s*(\S+)\s+", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingWord();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    /// <summary>Tracks quotes and bracket depth while a SQL fragment is read left to right.</summary>
    private sealed class Scanner(string text)
    {
        private int _depth;
        private char _quote;

        /// <summary>Reads <c>text[i]</c>; true when it is at the top level (outside quotes and brackets) and not itself a quote or bracket.</summary>
        public bool Step(int i)
        {
            char c = text[i];
            if (_quote != '\0')
            {
                // A doubled quote inside a literal closes and reopens it, which comes out the same.
                if (c == _quote)
                {
                    _quote = '\0';
                }

                return false;
            }

            switch (c)
            {
                case '\'' or '"':
                    _quote = c;
                    return false;
                case '(' or '[':
                    _depth++;
                    return false;
                case ')' or ']':
                    _depth = _depth > 0 ? _depth - 1 : throw new FormatException($"unbalanced '{c}' in '{text}'");
                    return false;
                default:
                    return _depth == 0;
            }
        }

        /// <summary>Checks that every quote and bracket was closed.</summary>
        public void End()
        {
            if (_quote != '\0' || _depth != 0)
            {
                throw new FormatException($"unclosed quote or bracket in '{text}'");
            }
        }
    }
}
