using System.Globalization;
using Kmer.Protocol;

namespace Kmer.Worker.Analysis;

/// <summary>Reads the values of an <c>spi_result</c> row (MessagePack natives) as the types the analysis' queries select.</summary>
internal static class SpiValues
{
    public static long Int64(SpiResult result, int row, int column) => result.Rows[row][column] switch
    {
        long value => value,
        ulong value when value <= long.MaxValue => (long)value,
        string text when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed) => parsed,
        var other => throw Unexpected(result, column, other, "an integer"),
    };

    public static double Double(SpiResult result, int row, int column) => result.Rows[row][column] switch
    {
        double value => value,
        long value => value,
        var other => throw Unexpected(result, column, other, "a number"),
    };

    public static string Text(SpiResult result, int row, int column) =>
        NullableText(result, row, column) ?? throw Unexpected(result, column, null, "text");

    public static string? NullableText(SpiResult result, int row, int column) => result.Rows[row][column] switch
    {
        null => null,
        string text => text,
        var other => throw Unexpected(result, column, other, "text"),
    };

    public static long? NullableInt64(SpiResult result, int row, int column) =>
        result.Rows[row][column] is null ? null : Int64(result, row, column);

    public static bool Boolean(SpiResult result, int row, int column) => result.Rows[row][column] switch
    {
        bool value => value,
        var other => throw Unexpected(result, column, other, "a boolean"),
    };

    private static InvalidOperationException Unexpected(SpiResult result, int column, object? value, string expected) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"The SPI result column \"{(column < result.Columns.Count ? result.Columns[column] : column.ToString(CultureInfo.InvariantCulture))}\" holds {(value is null ? "NULL" : value.GetType().Name)}, not {expected}."));
}
