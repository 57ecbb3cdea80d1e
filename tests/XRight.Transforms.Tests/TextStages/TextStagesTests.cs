using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Interop;
using XRight.Text;
using XRight.TextStages;

namespace XRight.Tests.TextStages;

[TestClass]
public sealed class TextStagesTests
{
    private const int Eos = 256; // built-in byte-level tokenizer: ids 0-255 are bytes, 256 = <|endoftext|>

    public sealed class Row
    {
        public string Prompt { get; set; } = "";
        public string Response { get; set; } = "";
        public string Chosen { get; set; } = "";
        public string Rejected { get; set; } = "";
    }

    public sealed class PromptOnly
    {
        public string Prompt { get; set; } = "";
    }

    public sealed class Tokens
    {
        public int[] PromptTokens { get; set; } = [];
        public int[] ResponseTokens { get; set; } = [];
        public int[] ChosenTokens { get; set; } = [];
        public int[] RejectedTokens { get; set; } = [];
        public bool TokensFit { get; set; }
    }

    public sealed class PromptTokensOnly
    {
        public string Prompt { get; set; } = "";
        public int[] PromptTokens { get; set; } = [];
        public bool TokensFit { get; set; }
    }

    private static int[] Bytes(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();

    private static IEstimator<ITransformer> Pipeline(MLContext ml, int maxLength = 64, PromptTruncation truncation = PromptTruncation.KeepEnd)
        => ml.Transforms.Text.FormatPrompt("Prompt", PromptTemplate.UserAssistant)
            .Append(ml.Transforms.Text.TokenizeForCausalLm(CausalLmTokenizer.CreateByteLevel(),
                new TokenizeForCausalLmOptions { MaxLength = maxLength, PromptTruncation = truncation }));

    [TestMethod]
    public void FormatPromptAppliesTheTemplateAndKeepsEmptyPromptsEmpty()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new PromptOnly { Prompt = "Name a color." }, new PromptOnly { Prompt = "  " } });
        var output = ml.Transforms.Text.FormatPrompt("Formatted", PromptTemplate.ChatMl, "Prompt").Fit(data).Transform(data);
        var values = output.GetColumn<string>("Formatted").ToArray();
        Assert.AreEqual("<|im_start|>user\nName a color.<|im_end|>\n<|im_start|>assistant\n", values[0]);
        Assert.AreEqual("", values[1]);
        CollectionAssert.AreEqual(new[] { "Name a color.", "  " }, output.GetColumn<string>("Prompt").ToArray(), "the input column is kept");
    }

    [TestMethod]
    public void TokenizesInstructionRowsWithTheReferenceEos()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Prompt = "hi", Response = "ok\n" } });
        var row = ml.Data.CreateEnumerable<Tokens>(Pipeline(ml).Fit(data).Transform(data), false).Single();
        // Prompt "User: hi\nAssistant: " as bytes; response "ok" (newline stripped) + " " + EOS, as the reference code does.
        CollectionAssert.AreEqual(Bytes("User: hi\nAssistant: "), row.PromptTokens);
        CollectionAssert.AreEqual(Bytes("ok ").Append(Eos).ToArray(), row.ResponseTokens);
        Assert.AreEqual(0, row.ChosenTokens.Length, "an empty chosen text gives no tokens");
        Assert.IsTrue(row.TokensFit);
    }

    [TestMethod]
    public void TooLongPromptsKeepTheirEndAndResponsesAreNeverCut()
    {
        var ml = new MLContext();
        var prompt = new string('a', 40) + "XYZ";
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new Row { Prompt = prompt, Chosen = "yes", Rejected = "no thanks" },  // longest response: "no thanks " + EOS = 11 tokens
            new Row { Prompt = "q", Response = new string('r', 20) },             // 20 + " " + EOS = 22 tokens
        });
        var rows = ml.Data.CreateEnumerable<Tokens>(Pipeline(ml, maxLength: 30).Fit(data).Transform(data), false).ToArray();

        // 30 - 11 = 19 prompt tokens kept, from the end of "User: aaa…XYZ\nAssistant: ".
        var fullPrompt = Bytes("User: " + prompt + "\nAssistant: ");
        CollectionAssert.AreEqual(fullPrompt[^19..], rows[0].PromptTokens);
        CollectionAssert.AreEqual(Bytes("yes ").Append(Eos).ToArray(), rows[0].ChosenTokens);
        CollectionAssert.AreEqual(Bytes("no thanks ").Append(Eos).ToArray(), rows[0].RejectedTokens);
        Assert.IsTrue(rows[0].TokensFit);

        // 22 response tokens leave 8 for a 22-token prompt: exactly the minimum of 8, so it fits.
        Assert.IsTrue(rows[1].TokensFit);
        Assert.AreEqual(8, rows[1].PromptTokens.Length);

        var tight = ml.Data.CreateEnumerable<Tokens>(Pipeline(ml, maxLength: 29).Fit(data).Transform(data), false).ToArray();
        Assert.IsFalse(tight[1].TokensFit, "7 prompt tokens would be fewer than the minimum of 8");
        Assert.AreEqual(0, tight[1].PromptTokens.Length + tight[1].ResponseTokens.Length, "a row that does not fit has empty token columns");
    }

    [TestMethod]
    public void TruncationPolicies()
    {
        int[] prompt = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        CollectionAssert.AreEqual(new[] { 7, 8, 9, 10 }, TokenBudget.FitPrompt(prompt, 6, 10, PromptTruncation.KeepEnd, 2, null));
        CollectionAssert.AreEqual(new[] { 1, 8, 9, 10 }, TokenBudget.FitPrompt(prompt, 6, 10, PromptTruncation.KeepEnd, 2, bosId: 1), "BOS stays first");
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, TokenBudget.FitPrompt(prompt, 6, 10, PromptTruncation.KeepStart, 2, null));
        Assert.IsNull(TokenBudget.FitPrompt(prompt, 6, 10, PromptTruncation.None, 2, null));
        Assert.IsNull(TokenBudget.FitPrompt(prompt, 9, 10, PromptTruncation.KeepEnd, 2, null), "one prompt token is below the minimum of 2");
        CollectionAssert.AreEqual(prompt, TokenBudget.FitPrompt(prompt, 0, 10, PromptTruncation.None, 2, null), "a fitting prompt is untouched");
    }

    [TestMethod]
    public void AbsentColumnsAreSkippedSoPromptOnlyRowsWorkInAPredictionEngine()
    {
        var ml = new MLContext();
        var training = ml.Data.LoadFromEnumerable(new[] { new Row { Prompt = "x", Response = "y" } });
        var model = Pipeline(ml).Fit(training);
        var engine = ml.Model.CreatePredictionEngine<PromptOnly, PromptTokensOnly>(model);
        var first = engine.Predict(new PromptOnly { Prompt = "hello" });
        CollectionAssert.AreEqual(Bytes("User: hello\nAssistant: "), first.PromptTokens);
        var second = engine.Predict(new PromptOnly { Prompt = "bye" });
        CollectionAssert.AreEqual(Bytes("User: bye\nAssistant: "), second.PromptTokens, "each prediction is computed afresh");
        var schema = model.GetOutputSchema(ml.Data.LoadFromEnumerable(new[] { new PromptOnly() }).Schema);
        Assert.IsNull(schema.GetColumnOrNull("ResponseTokens"));
        Assert.IsNotNull(schema.GetColumnOrNull("PromptTokens"));
    }

    [TestMethod]
    public void EstimatorShapeMatchesTheTransformerSchema()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Row() });
        var estimator = Pipeline(ml);
        var shape = estimator.GetOutputSchema(MlNetBridge.ShapeOf(data.Schema));
        var schema = estimator.Fit(data).GetOutputSchema(data.Schema);
        foreach (var name in new[] { "PromptTokens", "ResponseTokens", "ChosenTokens", "RejectedTokens", "TokensFit" })
        {
            var column = shape.Single(c => c.Name == name);
            var concrete = schema[name];
            Assert.AreEqual(concrete.Type is VectorDataViewType v ? v.ItemType : concrete.Type, column.ItemType, name);
            Assert.AreEqual(concrete.Type is VectorDataViewType, column.Kind == SchemaShape.Column.VectorKind.VariableVector, name);
        }
    }

    [TestMethod]
    public void BadInputAndOptionsAreNamed()
    {
        var ml = new MLContext();
        var noPrompt = ml.Data.LoadFromEnumerable(new[] { new { Text = "x" } });
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => Pipeline(ml).Fit(noPrompt)).Message, "no column 'Prompt'");
        var numericResponse = ml.Data.LoadFromEnumerable(new[] { new { Prompt = "x", Response = 1f } });
        var tokenize = ml.Transforms.Text.TokenizeForCausalLm(CausalLmTokenizer.CreateByteLevel(), 16);
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => tokenize.Fit(numericResponse)).Message, "'Response' must be");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.Text.TokenizeForCausalLm(CausalLmTokenizer.CreateByteLevel(), 0)).Message, "MaxLength");
    }

    [TestMethod]
    public void SavedPipelineLoadsInAFreshContextWithIdenticalOutput()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new Row { Prompt = "2+2?", Response = "4" },
            new Row { Prompt = "Best pet?", Chosen = "A cat.", Rejected = "A rock." },
        });
        var model = Pipeline(ml, maxLength: 24).Fit(data);
        using var dir = new TempDirectory();
        var zip = dir.File("text-stages.zip");
        ml.Model.Save(model, data.Schema, zip);

        var fresh = new MLContext();
        fresh.ComponentCatalog.RegisterXRightTextStages();
        var loaded = fresh.Model.Load(zip, out var schema);
        Assert.AreEqual(4, schema.Count);
        var before = ml.Data.CreateEnumerable<Tokens>(model.Transform(data), false).ToArray();
        var after = fresh.Data.CreateEnumerable<Tokens>(loaded.Transform(data), false).ToArray();
        for (int i = 0; i < before.Length; i++)
        {
            CollectionAssert.AreEqual(before[i].PromptTokens, after[i].PromptTokens);
            CollectionAssert.AreEqual(before[i].ResponseTokens, after[i].ResponseTokens);
            CollectionAssert.AreEqual(before[i].ChosenTokens, after[i].ChosenTokens);
            CollectionAssert.AreEqual(before[i].RejectedTokens, after[i].RejectedTokens);
            Assert.AreEqual(before[i].TokensFit, after[i].TokensFit);
        }
    }

    [TestMethod]
    public void RealTokenizerMatchesTheEncoderOnRealData()
    {
        var folder = SharedAssets.Require("tokenizers/gpt-neox-20b");
        var file = SharedAssets.Require("data/hh_rlhf_pref_2k.jsonl");
        var tokenizer = CausalLmTokenizer.FromPretrained(folder);
        var ml = new MLContext();
        var rows = File.ReadLines(file).Take(40).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Select(e => new Row { Prompt = e.GetProperty("prompt").GetString()!, Chosen = e.GetProperty("chosen").GetString()!, Rejected = e.GetProperty("rejected").GetString()! })
            .ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Text.FormatPrompt().Append(ml.Transforms.Text.TokenizeForCausalLm(tokenizer, 4096));
        var output = ml.Data.CreateEnumerable<Tokens>(pipeline.Fit(data).Transform(data), false).ToArray();
        for (int i = 0; i < rows.Length; i++)
        {
            var prompt = PromptTemplate.UserAssistant.Apply(rows[i].Prompt);
            var (p, c) = PromptResponseEncoder.Encode(tokenizer, prompt, rows[i].Chosen);
            var (_, r) = PromptResponseEncoder.Encode(tokenizer, prompt, rows[i].Rejected);
            CollectionAssert.AreEqual(p, output[i].PromptTokens, $"row {i}");
            CollectionAssert.AreEqual(c, output[i].ChosenTokens, $"row {i}");
            CollectionAssert.AreEqual(r, output[i].RejectedTokens, $"row {i}");
            Assert.AreEqual(tokenizer.EosTokenId, output[i].ChosenTokens[^1]);
        }
    }
}
