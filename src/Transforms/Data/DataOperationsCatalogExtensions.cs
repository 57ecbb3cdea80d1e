using Microsoft.ML;
using XRight.Data.JsonLines;
using XRight.Data.ParquetIO;

namespace XRight.Data;

/// <summary>
/// Loaders and savers for the file formats post-training data usually comes in, as extensions of
/// <c>mlContext.Data</c>.
/// </summary>
public static class DataOperationsCatalogExtensions
{
    /// <summary>
    /// A lazy view over a Parquet file. Cursors stream one row group at a time and decode only the
    /// columns they activate. Column types: UTF-8 strings become text (null becomes empty text);
    /// int32, int64, float, double and boolean become the matching ML.NET types (null float/double
    /// becomes NaN, a null of the other types is an error when read); lists (or legacy repeated
    /// fields) of int32, int64, float or double become variable-length vectors (a null list reads as
    /// an empty vector). Any other column type throws <see cref="NotSupportedException"/>.
    /// </summary>
    /// <param name="catalog">The data catalog of an <see cref="MLContext"/>.</param>
    /// <param name="path">The Parquet file.</param>
    /// <returns>A view whose row count is known; the file is opened again by every cursor.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not Parquet, or is truncated or corrupt.</exception>
    /// <exception cref="NotSupportedException">A column has a type listed as unsupported above.</exception>
    public static IDataView LoadFromParquet(this DataOperationsCatalog catalog, string path)
        => LoadFromParquet(catalog, path, DefaultMaxColumnChunkBytes);

    /// <summary>The default limit of <see cref="LoadFromParquet(DataOperationsCatalog, string, long)"/>: 512 MiB.</summary>
    public const long DefaultMaxColumnChunkBytes = 512L * 1024 * 1024;

    /// <summary>
    /// <see cref="LoadFromParquet(DataOperationsCatalog, string)"/> with a memory limit: a column chunk (one
    /// column of one row group) whose uncompressed size, as the file's metadata gives it, exceeds
    /// <paramref name="maxColumnChunkBytes"/> is refused before it is read, with an
    /// <see cref="InvalidDataException"/> naming the file, the row group, the column, its size and the limit.
    /// A cursor decodes one chunk per active column at a time, so this bounds what one huge cell can take.
    /// </summary>
    /// <param name="catalog">The data catalog of an <see cref="MLContext"/>.</param>
    /// <param name="path">The Parquet file.</param>
    /// <param name="maxColumnChunkBytes">The largest uncompressed column chunk read; at least 1. Default of the other overload: <see cref="DefaultMaxColumnChunkBytes"/>.</param>
    public static IDataView LoadFromParquet(this DataOperationsCatalog catalog, string path, long maxColumnChunkBytes)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (maxColumnChunkBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(maxColumnChunkBytes), maxColumnChunkBytes, $"maxColumnChunkBytes must be at least 1, found {maxColumnChunkBytes}.");
        return new ParquetDataView(path, maxColumnChunkBytes);
    }

    /// <summary>
    /// Writes the visible columns of <paramref name="data"/> to a Parquet file: text as required
    /// UTF-8 strings, int32/int64/float/double/boolean as required values, and vectors of those
    /// numeric types as lists (a fixed vector size is not recorded). The file is written under a
    /// temporary name beside <paramref name="path"/> and renamed when complete, replacing any
    /// existing file.
    /// </summary>
    /// <param name="catalog">The data catalog of an <see cref="MLContext"/>.</param>
    /// <param name="data">The rows to write.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="rowGroupSize">Rows per row group (the unit a reader loads at once). Default: 100,000.</param>
    /// <exception cref="NotSupportedException">A visible column has a type that cannot be written.</exception>
    public static void SaveAsParquet(this DataOperationsCatalog catalog, IDataView data, string path, int rowGroupSize = 100_000)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupSize, 1);
        ParquetDataSaver.Save(data, path, rowGroupSize);
    }

    /// <summary>
    /// A view over a JSON Lines file (one JSON object per line, the usual Hugging Face export).
    /// Column names are the keys as written in the file unless renamed by
    /// <see cref="JsonLinesOptions.ColumnNames"/> (ML.NET column names are case-sensitive). Empty lines
    /// are skipped. See <see cref="JsonLinesOptions"/> for column selection, types and streaming.
    /// </summary>
    /// <param name="catalog">The data catalog of an <see cref="MLContext"/>.</param>
    /// <param name="path">The JSON Lines file (UTF-8).</param>
    /// <param name="options">Columns, names, types and streaming; null for the defaults.</param>
    /// <returns>The view; its row count is known only when <see cref="JsonLinesOptions.Streaming"/> is false.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A line is not valid JSON or not an object, a selected key is missing, or a value has the wrong
    /// type; the message names the file, the line and the key. When streaming, lines after those read
    /// to infer the schema are checked as cursors reach them.
    /// </exception>
    public static IDataView LoadFromJsonLines(this DataOperationsCatalog catalog, string path, JsonLinesOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return JsonLinesDataView.Open(path, options ?? new JsonLinesOptions());
    }
}
