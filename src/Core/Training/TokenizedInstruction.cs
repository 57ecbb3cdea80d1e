namespace XRight.Training;

/// <summary>An instruction row as token ids: the prompt (with BOS where the tokenizer adds one) and the response (ending with EOS).</summary>
/// <param name="Prompt">Prompt ids; at least one.</param>
/// <param name="Response">Response ids; at least one.</param>
public sealed record TokenizedInstruction(int[] Prompt, int[] Response)
{
    /// <summary>Tokens of the whole row.</summary>
    public int Length => Prompt.Length + Response.Length;
}
