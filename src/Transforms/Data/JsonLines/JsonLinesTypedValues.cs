using System.Text.Json;
using Microsoft.ML;

namespace XRight.Data.JsonLines;

/// <summary>The typed storage behind <see cref="JsonLinesColumnValues"/>.</summary>
internal sealed class JsonLinesTypedValues<T>(JsonLinesColumn column, string path, JsonLinesTypedValues<T>.Converter convert)
    : JsonLinesColumnValues(column, path)
{
    private T[] _values = new T[1];

    public delegate bool Converter(JsonElement value, out T result);

    public override Delegate CreateGetter(Func<int> currentIndex) =>
        (ValueGetter<T>)((ref T value) => value = _values[currentIndex()]);

    protected override bool TryStore(JsonElement value, int index)
    {
        if (index >= _values.Length) Array.Resize(ref _values, Math.Max(index + 1, _values.Length * 2));
        return convert(value, out _values[index]);
    }
}
