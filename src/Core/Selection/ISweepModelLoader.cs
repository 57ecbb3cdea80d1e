using XRight.Modeling;
using XRight.Text;

namespace XRight.Selection;

/// <summary>
/// Loads a sweep candidate's saved model back for its benchmarks (<see cref="ParetoSweepOptions.Benchmarks"/>).
/// A candidate trainer that saves models implements it for the form it saves them in; a sweep with
/// benchmarks needs a trainer that does.
/// </summary>
public interface ISweepModelLoader
{
    /// <summary>The policy and tokenizer saved at <paramref name="modelPath"/> (the path <see cref="ISweepCandidateTrainer.Train"/> saved to).</summary>
    SweepModel Load(string modelPath);
}

/// <summary>A loaded candidate: its policy, its tokenizer, and what to dispose when the benchmarks are done.</summary>
/// <param name="Model">The policy.</param>
/// <param name="Tokenizer">The tokenizer its prompts go through.</param>
/// <param name="Owner">What holds the policy (the model itself, or a container such as a loaded pipeline).</param>
public sealed record SweepModel(CausalLm Model, CausalLmTokenizer Tokenizer, IDisposable Owner) : IDisposable
{
    /// <summary>Disposes <see cref="Owner"/>.</summary>
    public void Dispose() => Owner.Dispose();
}
