using System.Text.Json;

namespace XRight.Data.JsonLines;

/// <summary>A parsed object and the 1-based line it came from; valid until the reader moves on.</summary>
internal readonly record struct JsonLinesObject(long Line, JsonElement Value);
