namespace XRight.Text;

/// <summary>
/// Bounds on one rendering, so that a hostile or broken template fails with a clear error instead of
/// running without end or exhausting memory.
/// </summary>
/// <param name="MaxLoopIterations">The most <c>for</c>-loop iterations (all loops together) and the longest <c>range()</c>.</param>
/// <param name="MaxOutputLength">The longest rendered text, and the longest string an expression may build, in characters.</param>
public sealed record ChatTemplateLimits(int MaxLoopIterations = 1_000_000, int MaxOutputLength = 16 << 20)
{
    /// <summary>The limits used unless others are given.</summary>
    public static ChatTemplateLimits Default { get; } = new();
}
