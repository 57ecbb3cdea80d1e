namespace XRight.Data;

/// <summary>One supervised fine-tuning example: a prompt and the response to learn.</summary>
/// <param name="Prompt">The instruction or conversation so far, as stored (no template applied).</param>
/// <param name="Response">The target response.</param>
public sealed record InstructionExample(string Prompt, string Response);
