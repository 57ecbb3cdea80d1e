namespace XRight.Training;

/// <summary>A preference row as token ids: one prompt and the chosen and rejected responses (each ending with EOS).</summary>
/// <param name="Prompt">Prompt ids; at least one.</param>
/// <param name="Chosen">Ids of the preferred response.</param>
/// <param name="Rejected">Ids of the dispreferred response.</param>
public sealed record TokenizedPreference(int[] Prompt, int[] Chosen, int[] Rejected)
{
    /// <summary>Tokens of the longer of the two rows (prompt + response).</summary>
    public int Length => Prompt.Length + Math.Max(Chosen.Length, Rejected.Length);
}
