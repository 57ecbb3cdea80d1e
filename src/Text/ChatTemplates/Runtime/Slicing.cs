namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>Python's slice semantics: <c>x[start:stop:step]</c> with negative indices, clamping and any step but 0.</summary>
internal static class Slicing
{
    /// <summary>The start and stop of a slice of <paramref name="length"/> items, resolved as Python's <c>slice.indices</c>.</summary>
    public static (long Start, long Stop) Bounds(long length, long? start, long? stop, long step)
    {
        if (step == 0) throw new TemplateError("slice step cannot be zero");
        long lower = step < 0 ? -1 : 0, upper = step < 0 ? length - 1 : length;
        return (Resolve(start, step < 0 ? upper : lower), Resolve(stop, step < 0 ? lower : upper));

        long Resolve(long? index, long fallback)
        {
            if (index is not { } i) return fallback;
            if (i < 0) i += length;
            return Math.Clamp(i, lower, upper);
        }
    }

    /// <summary>The indices a slice selects, in order.</summary>
    public static IEnumerable<long> Indices(long length, long? start, long? stop, long? step)
    {
        long by = step ?? 1;
        var (from, to) = Bounds(length, start, stop, by);
        for (long i = from; by > 0 ? i < to : i > to; i += by) yield return i;
    }

    public static List<object?> Slice(IReadOnlyList<object?> items, long? start, long? stop, long? step) =>
        Indices(items.Count, start, stop, step).Select(i => items[(int)i]).ToList();
}
