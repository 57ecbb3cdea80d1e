using System.Text.Json.Nodes;
using XRight.Evaluation;
using XRight.Modeling;
using XRight.Modeling.SafeTensors;
using XRight.Tests.Modeling;
using static TorchSharp.torch;

namespace XRight.Tests.Evaluation;

[TestClass]
public sealed class RewardModelTests
{
    private const int Pad = 60;

    private static CausalLmConfig WithPad(CausalLmConfig config) => TinyModels.With(config, ("pad_token_id", Pad));

    private static RewardModel RandomRewardModel(string variant, bool pad = true)
    {
        var config = variant == "neox" ? TinyModels.NeoX() : TinyModels.Llama();
        var model = RewardModel.Create(pad ? WithPad(config) : config);
        TinyModels.Randomize(model.Trunk, seed: 3);
        using (no_grad()) model.ScoreWeight.normal_(0, 0.5);
        return model;
    }

    /// <summary>The reward by hand: the reference implementation's final hidden state at <paramref name="position"/> · score.weight.</summary>
    private static double Independent(CausalLm trunk, double[] score, int[] ids, int position)
    {
        var hidden = new ReferenceTransformer(trunk).FinalHidden(ids)[position];
        return hidden.Select((h, i) => h * score[i]).Sum();
    }

    private static (Tensor Ids, Tensor Mask) Padded(int[][] rows, bool left)
    {
        int length = rows.Max(r => r.Length);
        var ids = new long[rows.Length * length];
        var mask = new long[ids.Length];
        Array.Fill(ids, Pad);
        for (int r = 0; r < rows.Length; r++)
        {
            int offset = r * length + (left ? length - rows[r].Length : 0);
            for (int t = 0; t < rows[r].Length; t++)
            {
                ids[offset + t] = rows[r][t];
                mask[offset + t] = 1;
            }
        }
        return (tensor(ids, [rows.Length, length], ScalarType.Int64), tensor(mask, [rows.Length, length], ScalarType.Int64));
    }

    private static readonly int[][] Sequences = [[1, 5, 9, 3], [1, 7], [1, 2, 3, 4, 5, 6], [4]];

    [TestMethod]
    [DataRow("neox", false)]
    [DataRow("neox", true)]
    [DataRow("llama", false)]
    [DataRow("llama", true)]
    public void TheRewardIsTheHeadAtTheLastRealTokenWithLeftOrRightPadding(string variant, bool left)
    {
        using var model = RandomRewardModel(variant);
        var score = TinyModels.ToDoubles(model.ScoreWeight);
        using var scope = NewDisposeScope();
        var (ids, mask) = Padded(Sequences, left);
        var rewards = TinyModels.ToDoubles(model.Forward(ids, mask));
        for (int r = 0; r < Sequences.Length; r++)
            Assert.AreEqual(Independent(model.Trunk, score, Sequences[r], Sequences[r].Length - 1), rewards[r], 1e-4, $"row {r}");

        var batched = model.Score(Sequences, batchSize: 3);
        for (int r = 0; r < Sequences.Length; r++) Assert.AreEqual(rewards[r], batched[r], 1e-5, $"Score, row {r}");
    }

    [TestMethod]
    public void ARowWhoseRealTokensEndInThePadIdIsReadBeforeThemAsInTransformers()
    {
        using var model = RandomRewardModel("neox");
        var score = TinyModels.ToDoubles(model.ScoreWeight);
        int[] endsInPad = [1, 5, 9, Pad];
        var rewards = model.Score([endsInPad, [1, 2, 3, 4, 5, 6]]);
        Assert.AreEqual(Independent(model.Trunk, score, endsInPad, 2), rewards[0], 1e-4, "the rightmost token that is not the pad id is at index 2");
    }

    [TestMethod]
    public void WithoutAPadIdOnlyEqualLengthsShareABatch()
    {
        using var model = RandomRewardModel("llama", pad: false);
        Assert.IsNull(model.PadTokenId);
        var score = TinyModels.ToDoubles(model.ScoreWeight);
        var rewards = model.Score(Sequences);
        for (int r = 0; r < Sequences.Length; r++)
            Assert.AreEqual(Independent(model.Trunk, score, Sequences[r], Sequences[r].Length - 1), rewards[r], 1e-4, $"row {r}");
        using var scope = NewDisposeScope();
        var (ids, mask) = Padded(Sequences, left: false);
        Assert.ThrowsExactly<InvalidOperationException>(() => model.Forward(ids, mask), "transformers refuses a batch without a pad id");
    }

    [TestMethod]
    [DataRow("neox", "gpt_neox.", "GPTNeoXForSequenceClassification")]
    [DataRow("llama", "model.", "LlamaForSequenceClassification")]
    public void LoadsASequenceClassificationFolderWrittenWithTheHuggingFaceNames(string variant, string prefix, string architecture)
    {
        using var lm = TinyModels.Randomized(WithPad(variant == "neox" ? TinyModels.NeoX() : TinyModels.Llama()), seed: 9);
        using var directory = new TempDirectory();
        using var scope = NewDisposeScope();
        var scoreWeight = randn(1, 32, generator: new TorchSharp.torch.Generator(5));
        var tensors = lm.state_dict().Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        tensors["score.weight"] = scoreWeight;
        SafeTensorsCheckpoint.Save(directory.Path, tensors);
        var config = JsonNode.Parse(lm.Config.ToJson())!.AsObject();
        config["architectures"] = new JsonArray(architecture);
        config["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
        config["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
        File.WriteAllText(directory.File("config.json"), config.ToJsonString());

        using var model = RewardModel.FromPretrained(directory.Path);
        Assert.AreEqual(architecture, model.ArchitectureName);
        Assert.AreEqual(Pad, model.PadTokenId);
        var score = TinyModels.ToDoubles(scoreWeight);
        var rewards = model.Score(Sequences);
        for (int r = 0; r < Sequences.Length; r++)
            Assert.AreEqual(Independent(lm, score, Sequences[r], Sequences[r].Length - 1), rewards[r], 1e-4, $"row {r}");

        // Saved again, the folder has the same names and gives the same rewards.
        using var saved = new TempDirectory();
        model.SavePretrained(saved.Path);
        CollectionAssert.AreEquivalent(tensors.Keys.ToArray(), SafeTensorsCheckpoint.TensorNames(saved.Path).ToArray());
        var savedConfig = JsonNode.Parse(File.ReadAllText(saved.File("config.json")))!.AsObject();
        Assert.AreEqual(architecture, (string?)savedConfig["architectures"]![0]);
        Assert.AreEqual(1, savedConfig["id2label"]!.AsObject().Count);
        Assert.IsFalse((bool)savedConfig["tie_word_embeddings"]!, "the saved configuration is the folder's, not the trunk's");
        using var reloaded = RewardModel.FromPretrained(saved.Path);
        CollectionAssert.AreEqual(rewards, reloaded.Score(Sequences));
        Assert.AreEqual(model.Fingerprint(), reloaded.Fingerprint());
    }

    [TestMethod]
    public void LoadingIsStrict()
    {
        using var model = RandomRewardModel("neox");
        using var directory = new TempDirectory();
        model.SavePretrained(directory.Path);
        using var scope = NewDisposeScope();
        var tensors = SafeTensorsCheckpoint.Load(directory.Path);

        var withoutScore = tensors.Where(kv => kv.Key != "score.weight").ToDictionary(kv => kv.Key, kv => kv.Value);
        SafeTensorsCheckpoint.Save(directory.Path, withoutScore);
        StringAssert.Contains(Assert.ThrowsExactly<CheckpointMismatchException>(() => RewardModel.FromPretrained(directory.Path)).Message, "score.weight");

        var withHead = new Dictionary<string, Tensor>(tensors) { ["embed_out.weight"] = zeros(61, 32) };
        SafeTensorsCheckpoint.Save(directory.Path, withHead);
        StringAssert.Contains(Assert.ThrowsExactly<CheckpointMismatchException>(() => RewardModel.FromPretrained(directory.Path)).Message, "embed_out.weight");

        SafeTensorsCheckpoint.Save(directory.Path, tensors);
        var config = JsonNode.Parse(File.ReadAllText(directory.File("config.json")))!.AsObject();
        config["id2label"] = new JsonObject { ["0"] = "LABEL_0", ["1"] = "LABEL_1" };
        File.WriteAllText(directory.File("config.json"), config.ToJsonString());
        Assert.ThrowsExactly<NotSupportedException>(() => RewardModel.FromPretrained(directory.Path));
        config.Remove("id2label");
        config.Remove("label2id");
        File.WriteAllText(directory.File("config.json"), config.ToJsonString());
        StringAssert.Contains(Assert.ThrowsExactly<NotSupportedException>(() => RewardModel.FromPretrained(directory.Path)).Message, "default without them is 2");
    }

    [TestMethod]
    public void TextIsTheTemplatedPromptFollowedByTheResponse()
    {
        using var model = RewardModel.Create(EvalModels.Config(padTokenId: 257), tokenizer: EvalModels.Bytes);
        var text = model.Score("\n\nHuman: hi\n\nAssistant:", " Hello.");
        var ids = System.Text.Encoding.UTF8.GetBytes("\n\nHuman: hi\n\nAssistant: Hello.").Select(b => (int)b).ToArray();
        CollectionAssert.AreEqual(ids, model.Encode("\n\nHuman: hi\n\nAssistant:", " Hello."));
        Assert.AreEqual(model.Score([ids])[0], text, 1e-6);
        var templated = model.Encode("hi", "Hello.", XRight.Text.PromptTemplate.UserAssistant);
        Assert.AreEqual("User: hi\nAssistant: Hello.", EvalModels.Bytes.Decode(templated));
    }
}
