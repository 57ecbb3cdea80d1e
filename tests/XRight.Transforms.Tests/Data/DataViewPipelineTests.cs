using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Data;

namespace XRight.Tests.Data;

/// <summary>The loaders' views used the way ML.NET itself uses data: transforms, caching, shuffling, splitting.</summary>
[TestClass]
public sealed class DataViewPipelineTests
{
    private readonly MLContext _ml = new(seed: 7);

    private static readonly string[] Prompts = Enumerable.Range(0, 50).Select(i => $"prompt number {i}").ToArray();

    private IEnumerable<(string Name, IDataView View)> Views(TempDirectory temp)
    {
        var jsonl = temp.File("rows.jsonl");
        File.WriteAllLines(jsonl, Prompts.Select((p, i) => $$"""{"Prompt": "{{p}}", "Index": {{i}}}"""));
        var parquet = temp.File("rows.parquet");
        _ml.Data.SaveAsParquet(_ml.Data.LoadFromJsonLines(jsonl), parquet, rowGroupSize: 16);
        yield return ("jsonl streaming", _ml.Data.LoadFromJsonLines(jsonl));
        yield return ("jsonl in memory", _ml.Data.LoadFromJsonLines(jsonl, new JsonLinesOptions { Streaming = false }));
        yield return ("parquet", _ml.Data.LoadFromParquet(parquet));
    }

    [TestMethod]
    public void Text_transforms_run_over_the_loaded_views()
    {
        using var temp = new TempDirectory();
        foreach (var (name, view) in Views(temp))
        {
            var tokenized = _ml.Transforms.Text.TokenizeIntoWords("Words", "Prompt").Fit(view).Transform(view);

            var words = ViewReading.Values<VBuffer<ReadOnlyMemory<char>>>(tokenized, "Words");

            Assert.HasCount(50, words, name);
            CollectionAssert.AreEqual(new[] { "prompt", "number", "49" }, words[49].DenseValues().Select(w => w.ToString()).ToArray(), name);
        }
    }

    [TestMethod]
    public void Cache_shuffle_and_split_see_every_row_exactly_once()
    {
        using var temp = new TempDirectory();
        foreach (var (name, view) in Views(temp))
        {
            var cached = _ml.Data.Cache(view);
            CollectionAssert.AreEqual(Prompts, ViewReading.Texts(cached, "Prompt"), name);
            CollectionAssert.AreEqual(Prompts, ViewReading.Texts(cached, "Prompt"), $"{name}, second pass over the cache");

            var shuffled = ViewReading.Values<long>(_ml.Data.ShuffleRows(view, seed: 3), "Index");
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 50).Select(i => (long)i).ToList(), shuffled, name);
            CollectionAssert.AreNotEqual(Enumerable.Range(0, 50).Select(i => (long)i).ToList(), shuffled, name);

            var split = _ml.Data.TrainTestSplit(view, testFraction: 0.3, seed: 5);
            var train = ViewReading.Values<long>(split.TrainSet, "Index");
            var test = ViewReading.Values<long>(split.TestSet, "Index");
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 50).Select(i => (long)i).ToList(), train.Concat(test).ToList(), name);
        }
    }
}
