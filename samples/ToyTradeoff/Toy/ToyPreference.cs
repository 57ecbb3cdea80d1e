namespace XRight.Toy;

/// <summary>A preference row <c>(x, y_w, y_l)</c> of the toy DPO data.</summary>
public sealed record ToyPreference
{
    /// <summary>A preference for output <paramref name="chosen"/> over <paramref name="rejected"/> of <paramref name="prompt"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An output index the prompt does not have.</exception>
    /// <exception cref="ArgumentException">Chosen and rejected are the same output.</exception>
    public ToyPreference(ToyPrompt prompt, int chosen, int rejected)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        prompt.CheckOutput(chosen, nameof(chosen));
        prompt.CheckOutput(rejected, nameof(rejected));
        if (chosen == rejected) throw new ArgumentException($"Chosen and rejected must differ; both are output {chosen}.", nameof(rejected));
        (Prompt, Chosen, Rejected) = (prompt, chosen, rejected);
    }

    /// <summary>The prompt <c>x</c>.</summary>
    public ToyPrompt Prompt { get; }

    /// <summary>The preferred output <c>y_w</c>.</summary>
    public int Chosen { get; }

    /// <summary>The dispreferred output <c>y_l</c>.</summary>
    public int Rejected { get; }
}
