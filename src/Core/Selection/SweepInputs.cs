using XRight.Modeling;
using XRight.Training;

namespace XRight.Selection;

/// <summary>
/// What every candidate of a <see cref="ParetoSweep"/> shares: the base options, the token data, the starting
/// model and that model's identity. With the options, the data and <see cref="ModelIdentity"/> make the
/// content key that decides whether an earlier sweep's results may be reused.
/// </summary>
public sealed record SweepInputs
{
    /// <summary>The options every candidate starts from; the sweep varies the strategy, λ and the Sequential split.</summary>
    public required JointTrainerOptions Options { get; init; }

    /// <summary>The token data (training rows, and evaluation rows when given).</summary>
    public required JointTrainingData Data { get; init; }

    /// <summary>Makes a fresh starting model on each call (the f* runs, each candidate and its reference need one).</summary>
    public required Func<CausalLm> CreateModel { get; init; }

    /// <summary>
    /// Identifies the starting model and the tokenizer the data was tokenized with, and anything else outside
    /// the options that changes what training computes (the weight type, for example): equal identities
    /// promise equal models. Use <see cref="ContentHash.OfFolder"/> for a Hugging Face folder (weights, config
    /// and tokenizer files), or combine <see cref="ContentHash.OfModel"/> with a tokenizer's hash by
    /// <see cref="ContentHash.Combine"/>.
    /// </summary>
    public required string ModelIdentity { get; init; }
}
