using Microsoft.ML;

namespace XRight.Data;

/// <summary>How error messages name the origin of a data view.</summary>
internal static class DataSourceName
{
    /// <summary>The name used for views that were not made by this library's file loaders.</summary>
    public const string InMemory = "in-memory data";

    /// <summary>The quoted file path for views made by the file loaders, <see cref="InMemory"/> otherwise.</summary>
    public static string Of(IDataView data) => data is IFileDataView file ? $"'{file.SourcePath}'" : InMemory;
}
