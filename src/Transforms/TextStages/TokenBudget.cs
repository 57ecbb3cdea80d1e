namespace XRight.TextStages;

/// <summary>
/// Fits one row's prompt and responses into a token budget: responses are never cut; the prompt is
/// cut by the truncation policy, keeping BOS; a row that cannot fit is reported as such.
/// </summary>
internal static class TokenBudget
{
    /// <summary>
    /// The prompt ids to use, or null when the row cannot fit: the longest response plus at least
    /// min(prompt length, <paramref name="minPromptTokens"/>) prompt tokens must fit in <paramref name="maxLength"/>.
    /// </summary>
    public static int[]? FitPrompt(int[] prompt, int longestResponse, int maxLength, PromptTruncation truncation, int minPromptTokens, int? bosId)
    {
        int room = maxLength - longestResponse;
        if (prompt.Length <= room) return prompt;
        if (truncation == PromptTruncation.None || room < Math.Min(prompt.Length, minPromptTokens) || room <= 0) return null;
        bool keepBos = bosId is { } bos && prompt.Length > 0 && prompt[0] == bos;
        if (truncation == PromptTruncation.KeepStart) return prompt[..room];
        if (!keepBos) return prompt[^room..];
        if (room < 2) return null; // BOS plus at least one prompt token
        return [prompt[0], .. prompt[^(room - 1)..]];
    }
}
