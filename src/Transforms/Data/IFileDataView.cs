using Microsoft.ML;

namespace XRight.Data;

/// <summary>A data view read from a file, so that errors found later can name that file.</summary>
internal interface IFileDataView : IDataView
{
    /// <summary>Path of the file the rows come from, as given to the loader.</summary>
    string SourcePath { get; }
}
