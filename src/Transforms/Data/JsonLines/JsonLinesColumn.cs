using Microsoft.ML.Data;

namespace XRight.Data.JsonLines;

/// <summary>One selected key of a JSON Lines file and the column it becomes.</summary>
/// <param name="Key">The key as written in the file.</param>
/// <param name="Name">The column name (the key unless renamed).</param>
/// <param name="Type">Text, Int64, Double or Boolean.</param>
/// <param name="AsJson">Text holding each value's JSON (<see cref="JsonLinesOptions.JsonTextColumns"/>).</param>
internal sealed record JsonLinesColumn(string Key, string Name, DataViewType Type, bool AsJson = false);
