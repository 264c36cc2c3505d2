using System.Globalization;
using Kmer.Protocol;

namespace Kmer.Worker.Diagnostics;

/// <summary>Reads the arguments of a diagnostics call; a missing, NULL or mistyped one is a 22023/22004 error naming it.</summary>
internal static class DiagnosticArgs
{
    /// <summary>SQLSTATE invalid_parameter_value.</summary>
    public const string InvalidParameterValue = "22023";

    /// <summary>SQLSTATE null_value_not_allowed.</summary>
    public const string NullValueNotAllowed = "22004";

    public static object? Value(HandlerContext context, int index, string name)
    {
        IReadOnlyList<object?> args = context.Call.Args;
        if (index >= args.Count)
        {
            throw new CallFailedException(
                InvalidParameterValue,
                string.Create(CultureInfo.InvariantCulture, $"{context.Call.Handler} needs argument {index + 1} ({name}), but the call has {args.Count}"));
        }

        return args[index];
    }

    public static string Text(HandlerContext context, int index, string name) =>
        NullableText(context, index, name) ?? throw NotNull(context, index, name);

    public static string? NullableText(HandlerContext context, int index, string name) => Value(context, index, name) switch
    {
        null => null,
        string text => text,
        object other => throw WrongType(context, index, name, other, "text"),
    };

    public static long Integer(HandlerContext context, int index, string name) => Value(context, index, name) switch
    {
        null => throw NotNull(context, index, name),
        long value => value,
        object other => throw WrongType(context, index, name, other, "an integer"),
    };

    public static double Double(HandlerContext context, int index, string name) => Value(context, index, name) switch
    {
        null => throw NotNull(context, index, name),
        double value => value,
        long value => value,
        object other => throw WrongType(context, index, name, other, "a number"),
    };

    public static bool Boolean(HandlerContext context, int index, string name) => Value(context, index, name) switch
    {
        null => throw NotNull(context, index, name),
        bool value => value,
        object other => throw WrongType(context, index, name, other, "a boolean"),
    };

    private static CallFailedException NotNull(HandlerContext context, int index, string name) =>
        new(NullValueNotAllowed, string.Create(CultureInfo.InvariantCulture, $"argument {index + 1} ({name}) of {context.Call.Handler} must not be NULL"));

    private static CallFailedException WrongType(HandlerContext context, int index, string name, object value, string expected) =>
        new(InvalidParameterValue,
            string.Create(CultureInfo.InvariantCulture, $"argument {index + 1} ({name}) of {context.Call.Handler} must be {expected}, not {value.GetType().Name}"));
}
