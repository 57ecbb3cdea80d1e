using Parquet;
using Parquet.Schema;

namespace XRight.Tests.Data;

/// <summary>Parquet files written with Parquet.Net directly, independent of the library's saver.</summary>
internal static class ParquetTestFiles
{
    /// <summary>Writes one row group per call of <paramref name="writeGroups"/>'s callbacks.</summary>
    public static void Write(string path, ParquetSchema schema, params Func<ParquetRowGroupWriter, Task>[] writeGroups)
    {
        Task.Run(async () =>
        {
            await using var stream = File.Create(path);
            await using var writer = await ParquetWriter.CreateAsync(schema, stream);
            foreach (var writeGroup in writeGroups)
            {
                using var group = writer.CreateRowGroup();
                await writeGroup(group);
                group.CompleteValidate();
            }
        }).GetAwaiter().GetResult();
    }

    /// <summary>Byte offset and length of a column's chunk in a row group, from the file's footer.</summary>
    public static (long Offset, long Length) ChunkRange(string path, string column, int rowGroup) =>
        Task.Run(async () =>
        {
            await using var reader = await ParquetReader.CreateAsync(path);
            var field = reader.Schema.DataFields.Single(f => f.Name == column);
            var meta = reader.OpenRowGroupReader(rowGroup).GetMetadata(field)!.MetaData!;
            var start = meta.DictionaryPageOffset is { } dictionary && dictionary > 0 ? Math.Min(dictionary, meta.DataPageOffset) : meta.DataPageOffset;
            return (start, meta.TotalCompressedSize);
        }).GetAwaiter().GetResult();

    public static int RowGroupCount(string path) =>
        Task.Run(async () =>
        {
            await using var reader = await ParquetReader.CreateAsync(path);
            return reader.RowGroupCount;
        }).GetAwaiter().GetResult();

    public static ParquetSchema Schema(string path) => ParquetReader.ReadSchemaAsync(path).GetAwaiter().GetResult();

    /// <summary>Overwrites a byte range with 0xFF.</summary>
    public static void Corrupt(string path, long offset, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.Position = offset;
        stream.Write(Enumerable.Repeat((byte)0xFF, checked((int)length)).ToArray());
    }
}
