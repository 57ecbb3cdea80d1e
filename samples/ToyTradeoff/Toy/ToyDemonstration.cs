namespace XRight.Toy;

/// <summary>An instruction row <c>(x, y)</c> of the toy SFT data.</summary>
public sealed record ToyDemonstration
{
    /// <summary>A demonstration of output <paramref name="target"/> for <paramref name="prompt"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An output index the prompt does not have.</exception>
    public ToyDemonstration(ToyPrompt prompt, int target)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        prompt.CheckOutput(target, nameof(target));
        (Prompt, Target) = (prompt, target);
    }

    /// <summary>The prompt <c>x</c>.</summary>
    public ToyPrompt Prompt { get; }

    /// <summary>The demonstrated output <c>y</c>.</summary>
    public int Target { get; }
}
