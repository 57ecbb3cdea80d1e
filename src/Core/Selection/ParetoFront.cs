using XRight.Training;

namespace XRight.Selection;

/// <summary>The non-dominated subset of a set of objective points.</summary>
internal static class ParetoFront
{
    /// <summary>
    /// For each point, whether no other point dominates it. Identical points do not dominate each
    /// other, so duplicates on the front are all kept; the answer depends only on the values, never
    /// on the order of the input.
    /// </summary>
    public static bool[] Membership(IReadOnlyList<ObjectivePair> points)
    {
        var onFront = new bool[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            onFront[i] = true;
            for (var j = 0; j < points.Count && onFront[i]; j++)
                onFront[i] = !points[j].Dominates(points[i]);
        }
        return onFront;
    }

    /// <summary>
    /// The front's points in the order a step line draws them: f_DPO ascending, and for equal f_DPO
    /// (only duplicates can share it on a front) f_SFT ascending.
    /// </summary>
    public static ObjectivePair[] StepOrder(IEnumerable<ObjectivePair> frontPoints) =>
        [.. frontPoints.OrderBy(p => p.Dpo).ThenBy(p => p.Sft)];
}
