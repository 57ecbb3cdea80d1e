using System.Text;
using XRight.Evaluation;

namespace XRight.Tests.Evaluation;

[TestClass]
public sealed class HellaSwagTests
{
    private static IReadOnlyList<HellaSwagItem> Rows => EvaluationData.ReadHellaSwag(SharedAssets.Require("data/eval/hellaswag_val.jsonl"));

    [TestMethod]
    public void TheBuilderReproducesTheFilesQueryAndChoicesForAll200Rows()
    {
        var rows = Rows;
        Assert.AreEqual(200, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(rows[i].Query, HellaSwagPrompts.BuildQuery(rows[i]), $"row {i} (ind {rows[i].Ind})");
            CollectionAssert.AreEqual(rows[i].Choices!.ToArray(), HellaSwagPrompts.BuildChoices(rows[i]).ToArray(), $"row {i} (ind {rows[i].Ind})");
        }
        Assert.AreEqual(27, rows.Sum(r => r.Choices!.Count(c => c.StartsWith(' '))), "the README's 27 choices that keep a leading space from [title]");
        Assert.AreEqual(18, rows.Count(r => r.CtxB.Length == 0), "WikiHow rows have an empty ctx_b");
    }

    [TestMethod]
    public void RowZeroIsTheReadmesWorkedExample()
    {
        var row = Rows[0];
        var benchmark = new HellaSwagBenchmark(Rows);
        Assert.AreEqual("Pole vault: Pole vault is a sport where you run with a pole and stop and swing your body. A few women", benchmark.QueryOf(row));
        Assert.AreEqual(3, row.Label);
        Assert.AreEqual(" are in the gym practicing to do this pole vault, trying to do their best.", " " + benchmark.ChoicesOf(row)[3]);
        Assert.AreEqual("Pole vault is a sport where you run with a pole and stop and swing your body. A few women", HellaSwagPrompts.Context(row.CtxA, row.CtxB));
    }

    [TestMethod]
    public void PreprocessAppliesTheHarnessStepsInOrder()
    {
        // " [title]" becomes ". "; "[step]" goes and leaves "tree  Dig", whose double space becomes one.
        Assert.AreEqual("Home and Garden. How to plant a tree Dig a hole.", HellaSwagPrompts.Preprocess("  Home and Garden [title] How to plant a tree [step] Dig a hole. "));
        // Brackets are removed non-greedily; the double space left behind becomes one space, once.
        Assert.AreEqual("a b", HellaSwagPrompts.Preprocess("a [x] b"));
        Assert.AreEqual("a  b", HellaSwagPrompts.Preprocess("a    b"), "'    '.replace('  ', ' ') is '  '");
        Assert.AreEqual(" You can do it.", HellaSwagPrompts.Preprocess("[title] You can do it."), "stripped before the brackets go: the space stays");
        Assert.AreEqual("x[a\nb]", HellaSwagPrompts.Preprocess("x[a\nb]"), "'.' does not match a line break");
        Assert.AreEqual("A man. He walks", HellaSwagPrompts.Context("A man.", "hE WALKS"), "capitalize lower-cases the rest");
    }

    [TestMethod]
    public void AccAndAccNormByHand()
    {
        HellaSwagItem Item(int label, params string[] endings) => new() { ActivityLabel = "A", CtxA = "b", CtxB = "", Endings = endings, Label = label };
        var items = new[]
        {
            // ll: −3, −4, −2.5, −6 → acc picks 2. Per character: −1.5, −0.667, −2.5, −0.6 → acc_norm picks 3.
            Item(3, "ab", "abcdef", "a", "abcdefghij"),
            // Characters, not bytes: "é😀" is 2 characters (6 bytes), so −3/2 = −1.5 < −5/4 = −1.25 and acc_norm picks 1;
            // per byte it would be −0.5 and pick 0. acc picks 0 (−3 > −5).
            Item(1, "é😀", "abcd"),
            // Ties go to the first (NumPy's argmax): −2, −2 → 0; −2/2, −2/2 → 0.
            Item(0, "ab", "cd"),
        };
        var benchmark = new HellaSwagBenchmark(items, new HellaSwagOptions { UseFileStrings = false });
        var result = benchmark.Summarize([[-3, -4, -2.5, -6], [-3, -5], [-2, -2]], new Dictionary<string, string>());
        Assert.AreEqual(1.0 / 3, result.Metrics["acc"], 1e-12);
        Assert.AreEqual(1.0, result.Metrics["acc_norm"], 1e-12);
        Assert.AreEqual(1, result.Counts["correct"]);
        Assert.AreEqual(3, result.Counts["correct_norm"]);
        Assert.AreEqual(1, MultipleChoiceMetrics.NormalizedArgMax([-3, -5], ["é😀", "abcd"]));
        Assert.AreEqual(2, MultipleChoiceMetrics.CharacterLength("é😀"));
    }

    [TestMethod]
    public void EvaluationWithConstantLogitsMatchesAnIndependentComputation()
    {
        var rows = Rows.Take(40).ToList();
        var logits = new Dictionary<int, double> { ['e'] = 2.0, [' '] = 1.0, ['.'] = -1.0 };
        using var model = EvalModels.ConstantLogits(logits);
        var result = new HellaSwagBenchmark(rows).Evaluate(model, EvalModels.Bytes);

        int correct = 0, correctNorm = 0;
        foreach (var row in rows)
        {
            // Every byte of " " + choice costs log p(byte), whatever came before.
            var ll = row.Choices!.Select(c => Encoding.UTF8.GetBytes(" " + c).Sum(b => EvalModels.LogProb(logits, b))).ToArray();
            var norm = ll.Select((v, i) => v / row.Choices![i].Length).ToArray();
            if (Array.IndexOf(ll, ll.Max()) == row.Label) correct++;
            if (Array.IndexOf(norm, norm.Max()) == row.Label) correctNorm++;
        }
        Assert.AreEqual(correct / 40.0, result.Metrics["acc"], 1e-12);
        Assert.AreEqual(correctNorm / 40.0, result.Metrics["acc_norm"], 1e-12);
        Assert.AreNotEqual(result.Counts["correct"], result.Counts["correct_norm"], "the normalisation changes some choices here");
        Assert.AreEqual("file", result.Settings["strings"]);
    }
}
