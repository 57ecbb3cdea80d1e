namespace XRight.Data;

/// <summary>One preference pair for DPO: a prompt, the preferred response and the dispreferred one.</summary>
/// <param name="Prompt">The prompt, as stored (no template applied).</param>
/// <param name="Chosen">The preferred response.</param>
/// <param name="Rejected">The dispreferred response.</param>
public sealed record PreferenceExample(string Prompt, string Chosen, string Rejected);
