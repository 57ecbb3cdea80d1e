using System.Text;
using System.Text.Json;
using XRight.Text;
using static XRight.Tests.Tokenization.RealTokenizers;

namespace XRight.Tests.Tokenization;

/// <summary>
/// Decode(Encode(x)) gives x back for every prompt, response, chosen and rejected text of the four
/// data files (for GPT-NeoX, x in NFC, since its normalizer composes characters first).
/// </summary>
[TestClass]
public sealed class DataRoundTripTests
{
    private static readonly string[] DataFiles =
        ["alpaca_gpt4_sft_2k.jsonl", "alpaca_gpt4_sft_eval.jsonl", "hh_rlhf_pref_2k.jsonl", "hh_rlhf_pref_eval.jsonl"];

    private static readonly string[] TextFields = ["prompt", "response", "chosen", "rejected"];

    [TestMethod]
    public void Gpt2RoundTripsEveryText() => AssertRoundTrips(Gpt2(), normalize: false);

    [TestMethod]
    public void NeoXRoundTripsEveryTextInNfc() => AssertRoundTrips(NeoX(), normalize: true);

    private static void AssertRoundTrips(CausalLmTokenizer tokenizer, bool normalize)
    {
        var texts = DataFiles.SelectMany(ReadTexts).ToList();
        Assert.AreEqual(2 * (402 + 150) + 3 * (2000 + 200), texts.Count, "texts in the four data files");
        var failures = texts
            .Where(t => tokenizer.Decode(tokenizer.Encode(t.Text), skipSpecialTokens: false) != (normalize ? t.Text.Normalize(NormalizationForm.FormC) : t.Text))
            .Select(t => t.Where)
            .ToList();
        Assert.IsEmpty(failures, $"texts that do not round-trip: {string.Join(", ", failures.Take(5))}");
    }

    private static IEnumerable<(string Where, string Text)> ReadTexts(string file)
    {
        var path = SharedAssets.Require($"data/{file}");
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            using var row = JsonDocument.Parse(line);
            foreach (var field in TextFields)
            {
                if (row.RootElement.TryGetProperty(field, out var value)) yield return ($"{file}:{lineNumber}.{field}", value.GetString()!);
            }
        }
    }
}
