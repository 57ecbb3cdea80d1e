namespace XRight.Training;

/// <summary>An instruction row as token ids: the prompt (with BOS where the tokenizer adds one) and the response (ending with EOS).</summary>
/// <param name="Prompt">Prompt ids; at least one.</param>
/// <param name="Response">Response ids; at least one.</param>
/// <param name="LossMask">
/// Which response tokens are loss targets, one flag per response token; null (the default) when every response
/// token is one. A multi-turn conversation trained with assistant-only loss puts everything after the first
/// assistant turn's start in <paramref name="Response"/> and marks only the assistant turns' tokens here, so the
/// user turns in between are context, not targets. At least one flag must be set. The prompt is never a target.
/// </param>
public sealed record TokenizedInstruction(int[] Prompt, int[] Response, bool[]? LossMask = null)
{
    /// <summary>Tokens of the whole row.</summary>
    public int Length => Prompt.Length + Response.Length;

    /// <summary>The number of response tokens that are loss targets.</summary>
    public int TargetCount => LossMask is null ? Response.Length : LossMask.Count(t => t);
}
