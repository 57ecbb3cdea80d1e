using XRight.Modeling;
using XRight.Text;

namespace XRight.Evaluation;

/// <summary>How <see cref="RewardWinRateBenchmark"/> generates and scores.</summary>
public sealed record WinRateOptions
{
    /// <summary>How the policy's responses are generated (template, generation settings). Default: <see cref="CompletionOptions"/>'s defaults.</summary>
    public CompletionOptions Completion { get; init; } = new();

    /// <summary>
    /// How the reward model sees a prompt: its text is <c>RewardTemplate.Apply(prompt) + response</c>.
    /// Default: <see cref="PromptTemplate.Raw"/>, the prompt as is (right for HH-RLHF prompts, which end in "Assistant:").
    /// </summary>
    public PromptTemplate RewardTemplate { get; init; } = PromptTemplate.Raw;

    /// <summary>Sequences the reward model scores per forward pass. Default: 16.</summary>
    public int RewardBatchSize { get; init; } = 16;
}

/// <summary>
/// Reward-model win rate: the policy answers each prompt, and a reward model compares the answer with the
/// reference (chosen) response. A win counts 1, a tie ½ (equal rewards, or identical token sequences), a
/// loss 0; <c>win_rate</c> is their mean. Also reported: the mean rewards of both sides and the counts.
/// </summary>
public sealed class RewardWinRateBenchmark
{
    private readonly IReadOnlyList<WinRateItem> _items;

    /// <summary>A benchmark over <paramref name="items"/>.</summary>
    /// <exception cref="ArgumentException">There are no items.</exception>
    public RewardWinRateBenchmark(IReadOnlyList<WinRateItem> items, WinRateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("There are no prompts to compare on.", nameof(items));
        _items = items;
        Options = options ?? new WinRateOptions();
    }

    /// <summary>The benchmark's name in results: <c>reward_win_rate</c>.</summary>
    public const string Name = "reward_win_rate";

    /// <summary>The options in effect.</summary>
    public WinRateOptions Options { get; }

    /// <summary>The settings that determine the result with <paramref name="rewardModel"/>: generation settings, the reward model's fingerprint and template, the data's hash.</summary>
    public IReadOnlyDictionary<string, string> Settings(RewardModel rewardModel)
    {
        ArgumentNullException.ThrowIfNull(rewardModel);
        var settings = new Dictionary<string, string>
        {
            ["reward_model"] = rewardModel.Tokenizer is { } tokenizer
                ? Fingerprint.Combine(rewardModel.Fingerprint(), Fingerprint.Of(tokenizer))
                : rewardModel.Fingerprint(),
            ["reward_template"] = Options.RewardTemplate.ToString(),
            ["ties"] = "half",
            ["data"] = EvaluationData.Hash(_items),
        };
        foreach (var (key, value) in Options.Completion.Settings()) settings[key] = value;
        return settings;
    }

    /// <summary>The policy's responses to the prompts, in order.</summary>
    public IReadOnlyList<string> Generate(CausalLm policy, CausalLmTokenizer tokenizer) =>
        Options.Completion.Complete(policy, tokenizer, _items.Select(i => i.Prompt).ToList());

    /// <summary>Generates with <paramref name="policy"/>, scores both sides with <paramref name="rewardModel"/> and summarizes.</summary>
    public BenchmarkResult Evaluate(CausalLm policy, CausalLmTokenizer tokenizer, RewardModel rewardModel)
    {
        ArgumentNullException.ThrowIfNull(rewardModel);
        return Compare(Generate(policy, tokenizer), rewardModel);
    }

    /// <summary>Scores already generated responses (one per prompt, in order) against the chosen ones.</summary>
    /// <exception cref="ArgumentException">There are not as many responses as prompts.</exception>
    public BenchmarkResult Compare(IReadOnlyList<string> responses, RewardModel rewardModel)
    {
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentNullException.ThrowIfNull(rewardModel);
        if (responses.Count != _items.Count) throw new ArgumentException($"There are {responses.Count} responses for {_items.Count} prompts.", nameof(responses));
        var generated = _items.Select((item, i) => rewardModel.Encode(item.Prompt, responses[i], Options.RewardTemplate)).ToList();
        var chosen = _items.Select(item => rewardModel.Encode(item.Prompt, item.Chosen, Options.RewardTemplate)).ToList();
        var rewards = rewardModel.Score([.. generated, .. chosen], Options.RewardBatchSize);
        var generatedRewards = rewards.Take(_items.Count).ToArray();
        var chosenRewards = rewards.Skip(_items.Count).ToArray();
        // Identical sequences tie, whatever rounding the batching brings.
        for (int i = 0; i < _items.Count; i++)
            if (generated[i].AsSpan().SequenceEqual(chosen[i])) generatedRewards[i] = chosenRewards[i];
        return Summarize(generatedRewards, chosenRewards, Settings(rewardModel));
    }

    /// <summary>The result of the rewards of generated and chosen responses (pairs in order).</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static BenchmarkResult Summarize(IReadOnlyList<double> generatedRewards, IReadOnlyList<double> chosenRewards, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(generatedRewards);
        ArgumentNullException.ThrowIfNull(chosenRewards);
        ArgumentNullException.ThrowIfNull(settings);
        if (generatedRewards.Count != chosenRewards.Count || generatedRewards.Count == 0)
            throw new ArgumentException($"Need as many generated rewards ({generatedRewards.Count}) as chosen ones ({chosenRewards.Count}), at least one.", nameof(chosenRewards));
        int wins = 0, ties = 0, losses = 0;
        for (int i = 0; i < generatedRewards.Count; i++)
        {
            if (generatedRewards[i] > chosenRewards[i]) wins++;
            else if (generatedRewards[i] == chosenRewards[i]) ties++;
            else losses++;
        }
        int n = generatedRewards.Count;
        return new BenchmarkResult
        {
            Benchmark = Name,
            Metrics = new Dictionary<string, double>
            {
                ["win_rate"] = (wins + 0.5 * ties) / n,
                ["mean_reward_generated"] = generatedRewards.Average(),
                ["mean_reward_chosen"] = chosenRewards.Average(),
            },
            Counts = new Dictionary<string, long> { ["prompts"] = n, ["wins"] = wins, ["ties"] = ties, ["losses"] = losses },
            Settings = new Dictionary<string, string>(settings),
        };
    }
}
