using XRight.Modeling;
using XRight.Training.Reference;
using XRight.Training.Strategies;

namespace XRight.Training;

/// <summary>The inputs of one <see cref="TrainingRun"/>.</summary>
internal sealed record TrainingRunSetup
{
    public required JointTrainerOptions Options { get; init; }
    public required CausalLm Model { get; init; }
    public required IJointStrategy Strategy { get; init; }
    public required string Phase { get; init; }
    public required int PadTokenId { get; init; }
    public IReadOnlyList<TokenizedInstruction> Instructions { get; init; } = [];
    public IReadOnlyList<TokenizedPreference> Preferences { get; init; } = [];
    public IReadOnlyList<TokenizedInstruction> InstructionEvaluation { get; init; } = [];
    public IReadOnlyList<TokenizedPreference> PreferenceEvaluation { get; init; } = [];

    /// <summary>The reference log-probs, when known before the run.</summary>
    public ReferenceLogProbCache? Reference { get; init; }

    /// <summary>Builds the reference from the policy at its first DPO use (the SFT-stage reference).</summary>
    public Func<CausalLm, ReferenceLogProbCache>? LateReference { get; init; }

    public bool EvaluateDuringRun { get; init; } = true;

    /// <summary>False for runs that must take their whole budget whatever the evaluations show (the f* estimates).</summary>
    public bool ApplyStopRules { get; init; } = true;
    public string? CheckpointDirectory { get; init; }

    /// <summary>The run's inputs, recorded in every checkpoint; required with <see cref="CheckpointDirectory"/>.</summary>
    public Checkpoints.RunIdentity? Identity { get; init; }
    public string OptionsFingerprint { get; init; } = "";
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>The run's subfolder of <see cref="LoggingOptions.TensorBoardDirectory"/>; null to write no TensorBoard log.</summary>
    public string? LogName { get; init; }

    /// <summary>Turns token ids into text for the completion samples; null shows the ids.</summary>
    public Func<IReadOnlyList<int>, string>? Decode { get; init; }

    /// <summary>Benchmarks run on the policy at each held-out evaluation; null for none.</summary>
    public Func<Modeling.CausalLm, IEnumerable<Evaluation.BenchmarkResult>>? Benchmarks { get; init; }
    public CancellationToken Cancellation { get; init; }
}
