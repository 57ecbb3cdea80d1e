namespace XRight.Evaluation;

/// <summary>
/// One log-likelihood question: how likely is <paramref name="Continuation"/> after <paramref name="Context"/>?
/// As in lm-evaluation-harness, a word boundary belongs to the continuation (<c>("Answer:", " B")</c>).
/// </summary>
/// <param name="Context">The conditioning text; may be empty (the model's prefix token then stands for it).</param>
/// <param name="Continuation">The text whose log-likelihood is wanted; must not be empty.</param>
public sealed record LoglikelihoodRequest(string Context, string Continuation);

/// <summary>The answer to a <see cref="LoglikelihoodRequest"/>, as lm-evaluation-harness returns it.</summary>
/// <param name="LogLikelihood">Σ over the continuation's tokens of log p(token | context, earlier continuation tokens), natural log.</param>
/// <param name="IsGreedy">True when every continuation token is the model's most likely next token (greedy decoding would produce it).</param>
/// <param name="TokenCount">The continuation's tokens.</param>
public sealed record LoglikelihoodResult(double LogLikelihood, bool IsGreedy, int TokenCount);
