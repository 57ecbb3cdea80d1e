using Microsoft.ML;
using XRight.Data;

namespace XRight.Samples;

/// <summary>Reads the user's data files for the samples.</summary>
internal static class SampleData
{
    /// <summary>
    /// A .parquet or .jsonl file as a view with the given column names; names are matched
    /// case-insensitively (Hugging Face exports use lower case) and renamed.
    /// </summary>
    public static IDataView Read(MLContext ml, string path, string[] columns)
    {
        IDataView view = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".parquet" => ml.Data.LoadFromParquet(path),
            ".jsonl" or ".json" => ml.Data.LoadFromJsonLines(path),
            _ => throw new ArgumentException($"'{path}': use a .parquet or .jsonl file."),
        };
        foreach (var name in columns)
        {
            if (view.Schema.GetColumnOrNull(name) is not null) continue;
            var match = view.Schema.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
            if (match.Name is null) throw new ArgumentException($"'{path}' has no column '{name}'.");
            view = ml.Transforms.CopyColumns(name, match.Name).Fit(view).Transform(view);
        }
        return view;
    }
}
