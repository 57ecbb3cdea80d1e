using Microsoft.ML;

namespace XRight.Data;

/// <summary>A view that can say which data set, and which row of it, one of its rows came from.</summary>
internal interface IRowOrigin
{
    /// <summary>"'file.jsonl', row 3" for the 1-based <paramref name="rowNumber"/> of this view, or null when unknown.</summary>
    string? Locate(long rowNumber);
}

/// <summary>Names a row by its origin, through views that map rows one to one.</summary>
internal static class RowOrigin
{
    /// <summary>The row's origin when <paramref name="data"/> knows it, else null.</summary>
    public static string? Locate(IDataView data, long rowNumber) => data switch
    {
        IRowOrigin origin => origin.Locate(rowNumber),
        IFileDataView => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{DataSourceName.Of(data)}, row {rowNumber}"),
        _ => null,
    };
}
