using MessagePack;

namespace Kmer.Protocol;

/// <summary><c>spi_result</c>, client → worker: the outcome of an <see cref="SpiRequest"/> that succeeded.</summary>
/// <param name="Id">The call it belongs to.</param>
/// <param name="Seq">The <see cref="SpiRequest.Seq"/> it answers.</param>
/// <param name="RowsAffected">Rows returned or affected.</param>
/// <param name="Columns">The result's column names.</param>
/// <param name="Rows">The result rows, each an array of as many MessagePack natives as there are columns.</param>
public sealed record SpiResult(
    long Id,
    long Seq,
    long RowsAffected,
    IReadOnlyList<string> Columns,
    IReadOnlyList<IReadOnlyList<object?>> Rows) : BridgeMessage
{
    /// <summary>The <c>type</c> of this message.</summary>
    public const string TypeName = "spi_result";

    /// <inheritdoc/>
    public override string Type => TypeName;

    private protected override int FieldCount => 5;

    private protected override void WriteFields(ref MessagePackWriter writer)
    {
        WireWriter.Required(Rows, "rows", TypeName);
        WireWriter.Int64(ref writer, "id", Id);
        WireWriter.Int64(ref writer, "seq", Seq);
        WireWriter.Int64(ref writer, "rows_affected", RowsAffected);
        WireWriter.Strings(ref writer, "columns", Columns, TypeName);
        writer.Write("rows");
        writer.WriteArrayHeader(Rows.Count);
        foreach (IReadOnlyList<object?> row in Rows)
        {
            WireWriter.Required(row, "rows", TypeName);
            writer.WriteArrayHeader(row.Count);
            foreach (object? value in row)
            {
                MessagePackValues.Write(ref writer, value, depth: 4);
            }
        }
    }

    internal static SpiResult Read(FieldMap fields)
    {
        string[] columns = fields.StringArray("columns");
        object?[][] rows = fields.ArrayOfArrays("rows");
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != columns.Length)
            {
                throw ProtocolException.Violation(
                    $"row {i} of \"spi_result\" message has {rows[i].Length} values but there are {columns.Length} columns");
            }
        }

        return new(fields.Int64("id"), fields.Int64("seq"), fields.Int64("rows_affected"), columns, rows);
    }
}
