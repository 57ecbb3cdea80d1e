namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>What one rendering shares across its evaluation: the clock, the limits and the work done so far.</summary>
internal sealed class RenderState(ChatTemplateLimits limits, TimeProvider clock)
{
    private long _iterations;

    public ChatTemplateLimits Limits { get; } = limits;

    /// <summary>The clock <c>strftime_now</c> reads.</summary>
    public TimeProvider Clock { get; } = clock;

    /// <summary>Counts one loop iteration (or one item of <c>range()</c>) against <see cref="ChatTemplateLimits.MaxLoopIterations"/>.</summary>
    public void CountIterations(long count = 1)
    {
        _iterations += count;
        if (_iterations > Limits.MaxLoopIterations)
            throw new TemplateError($"the template ran more than {Limits.MaxLoopIterations} loop iterations (ChatTemplateLimits.MaxLoopIterations).");
    }

    /// <summary>Refuses a string longer than <see cref="ChatTemplateLimits.MaxOutputLength"/> before it is built.</summary>
    public void CheckLength(long length)
    {
        if (length > Limits.MaxOutputLength)
            throw new TemplateError($"the template built text longer than {Limits.MaxOutputLength} characters (ChatTemplateLimits.MaxOutputLength).");
    }
}
