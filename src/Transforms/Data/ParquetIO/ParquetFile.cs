using System.Buffers.Binary;
using Parquet;
using Parquet.Schema;

namespace XRight.Data.ParquetIO;

/// <summary>Opens Parquet files with errors that name the file and say what is wrong with it.</summary>
internal static class ParquetFile
{
    // A Parquet file is "PAR1", the column chunks, the footer, the footer length (int32 LE), "PAR1".
    private const int MinimumLength = 12;

    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>Opens a reader; the caller disposes it (which closes the file).</summary>
    public static ParquetReader Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Parquet file '{path}' does not exist.", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            CheckFraming(stream, path);
            return SyncBridge.Run(() => ParquetReader.CreateAsync(stream, leaveStreamOpen: false));
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            stream.Dispose();
            throw new InvalidDataException($"'{path}' cannot be read as Parquet: its footer is corrupt ({e.Message}).", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The file's schema; a type Parquet.Net cannot decode is reported with the file name.</summary>
    public static ParquetSchema ReadSchema(ParquetReader reader, string path)
    {
        try
        {
            return reader.Schema;
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"'{path}' has a column type that cannot be read: {e.Message}", e);
        }
    }

    public static void Close(ParquetReader reader) => SyncBridge.Run(() => reader.DisposeAsync().AsTask());

    /// <summary>Wraps a failure while decoding one column chunk with where it happened.</summary>
    public static InvalidDataException ReadError(string path, int rowGroup, string column, Exception inner) =>
        new($"'{path}': cannot read column '{column}' in row group {rowGroup}: {inner.Message}", inner);

    private static void CheckFraming(FileStream stream, string path)
    {
        var length = stream.Length;
        if (length < MinimumLength)
            throw new InvalidDataException($"'{path}' is not a Parquet file: it is {length} bytes long, shorter than any Parquet file ({MinimumLength} bytes).");

        Span<byte> head = stackalloc byte[4];
        stream.ReadExactly(head);
        if (!head.SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a Parquet file: it does not start with the magic bytes 'PAR1'.");

        Span<byte> tail = stackalloc byte[8];
        stream.Seek(-tail.Length, SeekOrigin.End);
        stream.ReadExactly(tail);
        if (!tail[4..].SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is truncated or corrupt: it starts as a Parquet file but does not end with the magic bytes 'PAR1'.");

        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > length - MinimumLength)
            throw new InvalidDataException($"'{path}' is corrupt: its footer length {footerLength} does not fit in a file of {length} bytes.");

        stream.Seek(0, SeekOrigin.Begin);
    }
}
