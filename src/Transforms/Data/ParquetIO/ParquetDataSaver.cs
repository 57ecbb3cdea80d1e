using Microsoft.ML;
using Parquet;
using Parquet.Schema;
using XRight.IO;

namespace XRight.Data.ParquetIO;

/// <summary>Writes a data view to a Parquet file, through a temporary file that is renamed when complete.</summary>
internal static class ParquetDataSaver
{
    public static void Save(IDataView data, string path, int rowGroupSize)
    {
        var visible = data.Schema.Where(column => !column.IsHidden).ToArray();
        var columns = visible.Select(ParquetWriteColumn.For).ToArray();
        var schema = new ParquetSchema(columns.Select(column => column.Field));

        AtomicFile.Write(path, stream =>
        {
            var writer = SyncBridge.Run(() => ParquetWriter.CreateAsync(schema, stream));
            WriteRows(data, visible, columns, writer, rowGroupSize);
            SyncBridge.Run(() => writer.DisposeAsync().AsTask()); // writes the footer
        });
    }

    private static void WriteRows(IDataView data, DataViewSchema.Column[] visible, ParquetWriteColumn[] columns, ParquetWriter writer, int rowGroupSize)
    {
        using var cursor = data.GetRowCursor(visible);
        foreach (var column in columns) column.Bind(cursor);
        var pending = 0;
        while (cursor.MoveNext())
        {
            foreach (var column in columns) column.Append();
            if (++pending == rowGroupSize)
            {
                WriteRowGroup(writer, columns);
                pending = 0;
            }
        }
        if (pending > 0) WriteRowGroup(writer, columns);
    }

    private static void WriteRowGroup(ParquetWriter writer, ParquetWriteColumn[] columns) =>
        SyncBridge.Run(async () =>
        {
            using var rowGroup = writer.CreateRowGroup();
            foreach (var column in columns) await column.WriteAsync(rowGroup);
            rowGroup.CompleteValidate();
        });
}
