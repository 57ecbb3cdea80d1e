using XRight.Evaluation;
using XRight.Modeling.Generation;
using XRight.Text;
using static TorchSharp.torch;

namespace XRight.Tests.Evaluation;

[TestClass]
public sealed class RewardWinRateTests
{
    [TestMethod]
    public void TiesCountHalf()
    {
        var result = RewardWinRateBenchmark.Summarize([1.0, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, -2.0], new Dictionary<string, string>());
        // wins: rows 0 and 3; tie: row 1; loss: row 2 → (2 + ½) / 4.
        Assert.AreEqual(0.625, result.Metrics["win_rate"], 1e-12);
        Assert.AreEqual(2, result.Counts["wins"]);
        Assert.AreEqual(1, result.Counts["ties"]);
        Assert.AreEqual(1, result.Counts["losses"]);
        Assert.AreEqual(0.5, result.Metrics["mean_reward_generated"], 1e-12);
        Assert.AreEqual(0.25, result.Metrics["mean_reward_chosen"], 1e-12);
        Assert.ThrowsExactly<ArgumentException>(() => RewardWinRateBenchmark.Summarize([1.0], [], new Dictionary<string, string>()));
    }

    [TestMethod]
    public void APolicyEndingInAFullStopAgainstARewardForAFinalFullStop()
    {
        // The reward model rewards a sequence whose last token is '.' (about +1) and gives 0 to any other ending:
        // its trunk passes embeddings through, only '.' has a (one-hot) embedding, and the head reads its LayerNorm.
        using var rewardModel = RewardModel.Create(EvalModels.Config(padTokenId: 257), tokenizer: EvalModels.Bytes);
        EvalModels.ZeroLayers(rewardModel.Trunk, new Dictionary<int, int> { ['.'] = '.' }, out var normed);
        using (no_grad()) rewardModel.ScoreWeight.copy_(tensor(normed['.'].Select(v => v / EvalModels.Hidden).ToArray()).unsqueeze(0));
        Assert.AreEqual(1.0, rewardModel.Score("Q:", " A."), 1e-3);
        Assert.AreEqual(0.0, rewardModel.Score("Q:", " A!"));

        // The policy answers "no." to everything.
        using var policy = EvalModels.Bigram(new Dictionary<int, int> { [' '] = 'n', ['n'] = 'o', ['o'] = '.', ['.'] = 256 });
        WinRateItem[] items =
        [
            new("\n\nHuman: Can you help?\n\nAssistant:", " Sure."), // tie: both end in '.'
            new("\n\nHuman: Is it blue?\n\nAssistant:", " Yes!"),    // win
            new("\n\nHuman: And then?\n\nAssistant:", " Fine"),      // win
            new("\n\nHuman: Really?\n\nAssistant:", " ok."),         // tie
        ];
        var options = new WinRateOptions { Completion = new CompletionOptions { Generation = new GenerationOptions { MaxNewTokens = 6 }, Template = PromptTemplate.UserAssistant } };
        var benchmark = new RewardWinRateBenchmark(items, options);
        CollectionAssert.AreEqual(new[] { "no.", "no.", "no.", "no." }, benchmark.Generate(policy, EvalModels.Bytes).ToArray());
        var result = benchmark.Evaluate(policy, EvalModels.Bytes, rewardModel);
        Assert.AreEqual((2 + 0.5 * 2) / 4, result.Metrics["win_rate"], 1e-12);
        Assert.AreEqual(2, result.Counts["wins"]);
        Assert.AreEqual(2, result.Counts["ties"]);
        Assert.AreEqual("UserAssistant", result.Settings["template"]);
        Assert.AreEqual("Raw", result.Settings["reward_template"]);
        Assert.AreEqual("6", result.Settings["max_new_tokens"]);
        Assert.AreEqual("greedy", result.Settings["decoding"]);
        Assert.AreEqual(rewardModel.Fingerprint().Length, result.Settings["reward_model"].Length);

        // A response identical to the chosen one ties, by definition.
        var same = benchmark.Compare(items.Select(i => i.Chosen).ToList(), rewardModel);
        Assert.AreEqual(4, same.Counts["ties"]);
    }
}
