using Microsoft.ML;
using XRight.MLNet;

namespace XRight.Tests.MLNet;

[TestClass]
public sealed class CombinedDataViewTests
{
    private sealed record Instruction(string Prompt, string Response);
    private sealed record Preference(string Prompt, string Chosen, string Rejected);
    private sealed class Row
    {
        public string Kind { get; set; } = "";
        public string Prompt { get; set; } = "";
        public string Response { get; set; } = "";
        public string Chosen { get; set; } = "";
        public string Rejected { get; set; } = "";
    }

    [TestMethod]
    public void InstructionRowsComeFirstThenPreferenceRowsWithEmptyFillers()
    {
        var ml = new MLContext();
        var sft = ml.Data.LoadFromEnumerable(new[] { new Instruction("p1", "r1"), new Instruction("p2", "r2") });
        var dpo = ml.Data.LoadFromEnumerable(new[] { new Preference("q1", "c1", "x1") });
        var combined = new CombinedDataView(sft, dpo, new CombineDataOptions());
        Assert.AreEqual(3L, combined.GetRowCount());
        var rows = ml.Data.CreateEnumerable<Row>(combined, reuseRowObject: false).ToArray();
        Assert.AreEqual(3, rows.Length);
        Assert.AreEqual(("sft", "p1", "r1", "", ""), (rows[0].Kind, rows[0].Prompt, rows[0].Response, rows[0].Chosen, rows[0].Rejected));
        Assert.AreEqual(("sft", "p2", "r2"), (rows[1].Kind, rows[1].Prompt, rows[1].Response));
        Assert.AreEqual(("dpo", "q1", "", "c1", "x1"), (rows[2].Kind, rows[2].Prompt, rows[2].Response, rows[2].Chosen, rows[2].Rejected));
    }

    [TestMethod]
    public void MissingOrNonTextColumnsAreNamed()
    {
        var ml = new MLContext();
        var sft = ml.Data.LoadFromEnumerable(new[] { new Instruction("p", "r") });
        var dpo = ml.Data.LoadFromEnumerable(new[] { new { Prompt = "q", Chosen = "c", Rejected = 3f } });
        var e = Assert.ThrowsExactly<ArgumentException>(() => new CombinedDataView(sft, dpo, new CombineDataOptions()));
        StringAssert.Contains(e.Message, "'Rejected'");
        StringAssert.Contains(e.Message, "must be text");
        e = Assert.ThrowsExactly<ArgumentException>(() => new CombinedDataView(sft, dpo, new CombineDataOptions { InstructionResponseColumn = "Answer" }));
        StringAssert.Contains(e.Message, "no column 'Answer'");
    }
}
