using System.Globalization;

namespace XRight.Data;

/// <summary>
/// What <see cref="PostTrainingDataReader"/> read and why it skipped rows. A text counts as empty when
/// it is empty or only whitespace. Each skipped row is counted once, under the first check it fails,
/// in the order prompt, response (or chosen, then rejected), chosen == rejected.
/// </summary>
public sealed class DataValidationReport
{
    internal DataValidationReport(long rowsRead, long emptyPrompts, long emptyResponses, long emptyChosen, long emptyRejected, long chosenEqualsRejected, long tooLong = 0,
        long promptsTruncated = 0)
    {
        PromptsTruncated = promptsTruncated;
        RowsRead = rowsRead;
        EmptyPrompts = emptyPrompts;
        EmptyResponses = emptyResponses;
        EmptyChosen = emptyChosen;
        EmptyRejected = emptyRejected;
        ChosenEqualsRejected = chosenEqualsRejected;
        TooLong = tooLong;
    }

    /// <summary>Rows read from the data view.</summary>
    public long RowsRead { get; }

    /// <summary>Rows returned as examples.</summary>
    public long RowsKept => RowsRead - RowsSkipped;

    /// <summary>Rows left out, for any reason.</summary>
    public long RowsSkipped => EmptyPrompts + EmptyResponses + EmptyChosen + EmptyRejected + ChosenEqualsRejected + TooLong;

    /// <summary>Rows skipped because the prompt is empty or whitespace.</summary>
    public long EmptyPrompts { get; }

    /// <summary>Instruction rows skipped because the response is empty or whitespace.</summary>
    public long EmptyResponses { get; }

    /// <summary>Preference rows skipped because the chosen response is empty or whitespace.</summary>
    public long EmptyChosen { get; }

    /// <summary>Preference rows skipped because the rejected response is empty or whitespace.</summary>
    public long EmptyRejected { get; }

    /// <summary>Preference rows skipped because chosen and rejected are the same text (ordinal comparison).</summary>
    public long ChosenEqualsRejected { get; }

    /// <summary>Rows that cannot fit in the token budget (prompt cut to its minimum plus the longest response); counted by the trainer, which sees the token columns.</summary>
    public long TooLong { get; }

    /// <summary>
    /// Kept rows whose prompt the tokenizer stage cut to fit the token budget (its <c>PromptTruncation</c>: keep the
    /// end or the start); counted by the trainer from the <c>PromptTruncated</c> column.
    /// </summary>
    public long PromptsTruncated { get; }

    /// <summary>
    /// For example "2000 rows read, 1994 kept, 6 skipped: 4 empty chosen, 2 chosen == rejected", with
    /// "(12 with the prompt truncated)" after the kept count when prompts were cut.
    /// </summary>
    public override string ToString()
    {
        var truncated = PromptsTruncated > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({PromptsTruncated} with the prompt truncated)") : "";
        var summary = string.Create(CultureInfo.InvariantCulture, $"{RowsRead} rows read, {RowsKept} kept{truncated}, {RowsSkipped} skipped");
        var details = SkipReasons(null);
        return details.Length == 0 ? summary : summary + ": " + details;
    }

    /// <summary>
    /// Why a set ended up empty, for example "12 rows read, 12 skipped: 12 too long (limit 48 tokens)";
    /// <paramref name="tokenLimit"/> is the tokenizer stage's MaxLength when known.
    /// </summary>
    internal string DescribeEmpty(int? tokenLimit)
    {
        var summary = string.Create(CultureInfo.InvariantCulture, $"{RowsRead} rows read, {RowsSkipped} skipped");
        var details = SkipReasons(tokenLimit);
        return details.Length == 0 ? summary : summary + ": " + details;
    }

    private string SkipReasons(int? tokenLimit)
    {
        var limit = tokenLimit is { } l ? string.Create(CultureInfo.InvariantCulture, $" (limit {l} tokens)") : "";
        var reasons = new (long Count, string Label)[]
        {
            (EmptyPrompts, "empty prompt"),
            (EmptyResponses, "empty response"),
            (EmptyChosen, "empty chosen"),
            (EmptyRejected, "empty rejected"),
            (ChosenEqualsRejected, "chosen == rejected"),
            (TooLong, "too long" + limit),
        };
        return string.Join(", ", reasons.Where(r => r.Count > 0).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Count} {r.Label}")));
    }
}
