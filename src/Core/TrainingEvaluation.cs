using XRight.Evaluation;
using XRight.Modeling.Generation;
using XRight.Training;

namespace XRight;

/// <summary>
/// A held-out evaluation during training, with the completion samples generated there
/// (<see cref="LoggingOptions.CompletionSamples"/>). A progress receiver passed to the trainer that also
/// implements <c>IProgress&lt;TrainingEvaluation&gt;</c> receives one after each evaluation.
/// </summary>
/// <param name="Phase">The run: "training", "optimum f*_DPO" or "optimum f*_SFT".</param>
/// <param name="Step">Optimizer steps done when the evaluation ran.</param>
/// <param name="HeldOut">The held-out objectives and metrics.</param>
/// <param name="Samples">The completion samples; empty when none are asked for.</param>
public sealed record TrainingEvaluation(string Phase, int Step, HeldOutMetrics HeldOut, IReadOnlyList<CompletionSample> Samples)
{
    /// <summary>The results of <see cref="Training.JointTrainer.Benchmarks"/> at this evaluation (main run only); empty without them.</summary>
    public IReadOnlyList<BenchmarkResult> Benchmarks { get; init; } = [];
}

/// <summary>A held-out prompt and the policy's completion of it at an evaluation.</summary>
/// <param name="Index">Position of the prompt among the sampled prompts (0-based).</param>
/// <param name="PromptIds">The prompt's token ids.</param>
/// <param name="CompletionIds">The new token ids (without the stop token or stop string).</param>
/// <param name="Prompt">The prompt as text (the token ids in brackets when the data has no decoder).</param>
/// <param name="Completion">The completion as text (likewise).</param>
/// <param name="StopReason">Why generation ended.</param>
public sealed record CompletionSample(int Index, int[] PromptIds, int[] CompletionIds, string Prompt, string Completion, GenerationStopReason StopReason)
{
    /// <summary>The sample as the TensorBoard text event shows it (Markdown): the prompt and the completion as code blocks.</summary>
    public string ToMarkdown() => $"**Prompt**\n\n{Indent(Prompt)}\n\n**Completion** ({StopReason})\n\n{Indent(Completion)}";

    /// <summary>One line for a text log: prompt → completion, line breaks shown as \n.</summary>
    public override string ToString() => $"{OneLine(Prompt)} → {OneLine(Completion)}";

    // An indented code block keeps the text literal whatever characters it holds.
    private static string Indent(string text) => string.Join('\n', text.Replace("\r\n", "\n").Split('\n').Select(line => "    " + line));

    private static string OneLine(string text) => text.Replace("\r", "\\r").Replace("\n", "\\n");
}
