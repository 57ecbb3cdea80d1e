using XRight.Modeling;
using XRight.Modeling.Generation;
using XRight.Runtime;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class GenerationTests
{
    private static readonly GenerationOptions GreedyNoStop = new() { MaxNewTokens = 8, StopTokenIds = [] };

    private static int[] GreedyWithoutCache(CausalLm model, int[] prompt, int count)
    {
        var ids = prompt.ToList();
        using var noGrad = no_grad();
        for (int i = 0; i < count; i++)
        {
            using var scope = NewDisposeScope();
            var logits = model.Forward(TinyModels.Ids(ids.Select(t => (long)t).ToArray()));
            ids.Add((int)logits[0, -1].argmax().item<long>());
        }
        return ids.Skip(prompt.Length).ToArray();
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    [DataRow("opt-350m")]
    public void GreedyDecodingWithTheCacheEqualsArgmaxOverFullForwardPasses(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        int[] prompt = [1, 7, 19, 3];
        var result = model.Generate([prompt], GreedyNoStop).Single();
        CollectionAssert.AreEqual(GreedyWithoutCache(model, prompt, 8), result.TokenIds);
        Assert.AreEqual(GenerationStopReason.MaxNewTokens, result.StopReason);
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    [DataRow("opt-350m")]
    public void LeftPaddedBatchGenerationEqualsOneByOne(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        int[][] prompts = [[1, 5], [1, 30, 31, 32, 33, 34], [1, 9, 9, 10]];
        var batch = model.Generate(prompts, GreedyNoStop);
        for (int r = 0; r < prompts.Length; r++)
            CollectionAssert.AreEqual(model.Generate([prompts[r]], GreedyNoStop).Single().TokenIds, batch[r].TokenIds, $"row {r}");

        var sampling = new GenerationOptions { MaxNewTokens = 8, StopTokenIds = [], Temperature = 1.3, TopP = 0.9, Seed = 4 };
        CollectionAssert.AreEqual(model.Generate([prompts[0]], sampling).Single().TokenIds, model.Generate(prompts, sampling)[0].TokenIds,
            "row 0 of a sampled batch draws from the same generator as the prompt alone");
    }

    [TestMethod]
    public void SeededSamplingIsReproducible()
    {
        using var model = TinyModels.Randomized(TinyModels.Llama());
        int[][] prompts = [[1, 2, 3], [1, 4]];
        var options = new GenerationOptions { MaxNewTokens = 12, StopTokenIds = [], Temperature = 2.0, Seed = 11 };
        var first = model.Generate(prompts, options);
        var second = model.Generate(prompts, options);
        var otherSeed = model.Generate(prompts, new GenerationOptions { MaxNewTokens = 12, StopTokenIds = [], Temperature = 2.0, Seed = 12 });
        for (int r = 0; r < 2; r++) CollectionAssert.AreEqual(first[r].TokenIds, second[r].TokenIds);
        CollectionAssert.AreNotEqual(first[0].TokenIds, otherSeed[0].TokenIds);
    }

    [TestMethod]
    public void StopsAtAStopTokenWithoutReturningIt()
    {
        using var model = TinyModels.Randomized(TinyModels.Llama());
        int[] prompt = [1, 7, 19];
        var free = model.Generate([prompt], GreedyNoStop).Single().TokenIds;
        int stop = free[3];
        int firstStop = Array.IndexOf(free, stop);
        var stopped = model.Generate([prompt], new GenerationOptions { MaxNewTokens = 8, StopTokenIds = [stop] }).Single();
        CollectionAssert.AreEqual(free[..firstStop], stopped.TokenIds);
        Assert.AreEqual(GenerationStopReason.StopToken, stopped.StopReason);

        // By default the configuration's EOS stops generation: the same weights with eos_token_id = stop.
        using var withEos = TinyModels.Randomized(TinyModels.Llama(eosTokenId: stop));
        var byDefault = withEos.Generate([prompt], new GenerationOptions { MaxNewTokens = 8 }).Single();
        CollectionAssert.AreEqual(free[..firstStop], byDefault.TokenIds);
        Assert.AreEqual(GenerationStopReason.StopToken, byDefault.StopReason);
    }

    [TestMethod]
    public void StopsAtAStopStringAndDropsIt()
    {
        using var model = TinyModels.Randomized(TinyModels.Llama());
        int[] prompt = [1, 2];
        static string Decode(IReadOnlyList<int> ids) => string.Concat(ids.Select(i => $"<{i}>"));
        var free = model.Generate([prompt], GreedyNoStop).Single().TokenIds;

        // A stop string that begins inside token 3's text: tokens 0..2 are kept.
        string stop = $"{free[3]}>";
        int firstHit = Decode(free).IndexOf(stop, StringComparison.Ordinal);
        int keep = Enumerable.Range(0, free.Length).Last(k => Decode(free[..k]).Length <= firstHit);
        var result = model.Generate([prompt], new GenerationOptions { MaxNewTokens = 8, StopTokenIds = [], StopStrings = [stop] }, Decode).Single();
        CollectionAssert.AreEqual(free[..keep], result.TokenIds);
        Assert.AreEqual(GenerationStopReason.StopString, result.StopReason);
        Assert.IsLessThanOrEqualTo(3, keep);
    }

    [TestMethod]
    public void TopPKeepsTheSmallestNucleusAndRenormalises()
    {
        // probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1.
        float[] logits = [MathF.Log(0.3f), MathF.Log(0.05f), MathF.Log(0.5f), MathF.Log(0.15f)];
        var p = TokenSampler.Distribution(logits, temperature: 1, topP: 0.7);
        double[] expected = [0.375, 0, 0.625, 0];
        for (int i = 0; i < 4; i++) Assert.AreEqual(expected[i], p[i], 1e-6, $"token {i}");
        var all = TokenSampler.Distribution(logits, temperature: 1, topP: 1);
        Assert.AreEqual(0.05, all[1], 1e-6);
        var tight = TokenSampler.Distribution(logits, temperature: 1, topP: 0.5);
        Assert.AreEqual(1.0, tight[2], 1e-12, "0.5 of mass is reached by the first token alone");

        // Temperature 2 takes square roots of the probabilities before renormalising.
        var warm = TokenSampler.Distribution(logits, temperature: 2, topP: 1);
        double z = Math.Sqrt(0.5) + Math.Sqrt(0.3) + Math.Sqrt(0.15) + Math.Sqrt(0.05);
        Assert.AreEqual(Math.Sqrt(0.5) / z, warm[2], 1e-6);

        // Draw walks the tokens in id order: [0, 0.375) -> token 0, [0.375, 1) -> token 2.
        Assert.AreEqual(0, TokenSampler.Draw(p, 0.0));
        Assert.AreEqual(0, TokenSampler.Draw(p, 0.3749));
        Assert.AreEqual(2, TokenSampler.Draw(p, 0.3751));
        Assert.AreEqual(2, TokenSampler.Draw(p, 0.9999999999));
    }

    [TestMethod]
    public void SampledFrequenciesFollowTheNucleus()
    {
        float[] logits = [MathF.Log(0.3f), MathF.Log(0.05f), MathF.Log(0.5f), MathF.Log(0.15f)];
        var random = new SeededRandom(3);
        var counts = new int[4];
        for (int i = 0; i < 20000; i++) counts[TokenSampler.Next(logits, 1.0, 0.7, random)]++;
        Assert.AreEqual(0, counts[1] + counts[3]);
        Assert.AreEqual(0.625, counts[2] / 20000.0, 0.015);
    }

    [TestMethod]
    public void InvalidRequestsAreRejected()
    {
        using var model = TinyModels.Randomized(TinyModels.Llama());
        model.train();
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.Generate([[1]], new GenerationOptions { StopStrings = ["\n"] })).Message, "decoder");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.Generate([[1]], new GenerationOptions { Temperature = -1 })).Message, "Temperature");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.Generate([[1]], new GenerationOptions { TopP = 0 })).Message, "TopP");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.Generate([[1], []])).Message, "Prompt 1 is empty");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate([[1, 500]])).Message, "token 500 at position 1");
        model.Generate([[1]], new GenerationOptions { MaxNewTokens = 1 });
        Assert.IsTrue(model.training, "generation restores training mode");
    }
}
