using XRight.Text;

namespace XRight.TextStages;

/// <summary>
/// Options of <c>TokenizeForCausalLm</c>. Each text column present in the input is tokenized into an
/// Int32 vector column named <c>&lt;column&gt;Tokens</c>; absent ones are skipped, so the same fitted
/// stage serves training data and prompt-only rows.
/// </summary>
public sealed record TokenizeForCausalLmOptions
{
    /// <summary>Token budget of prompt + the longest response of a row, EOS and BOS included. Required.</summary>
    public int MaxLength { get; init; }

    /// <summary>How EOS ends each response. Default: <see cref="EosPolicy.ReferenceCode"/>.</summary>
    public EosPolicy EosPolicy { get; init; } = EosPolicy.ReferenceCode;

    /// <summary>How a too-long prompt is cut. Default: <see cref="PromptTruncation.KeepEnd"/>. Responses are never cut.</summary>
    public PromptTruncation PromptTruncation { get; init; } = PromptTruncation.KeepEnd;

    /// <summary>
    /// The fewest prompt tokens a truncated prompt may keep (or the whole prompt when shorter); a row
    /// whose responses leave less room does not fit. Default: 8.
    /// </summary>
    public int MinPromptTokens { get; init; } = 8;

    /// <summary>
    /// The text columns to tokenize (prompt already templated, response, chosen, rejected) and the
    /// <see cref="PostTrainingColumnNames.TokensFit"/> column written: false where the row cannot fit in
    /// <see cref="MaxLength"/> (its token columns are then empty). Default: <see cref="PostTrainingColumnNames.Default"/>.
    /// </summary>
    public PostTrainingColumnNames Columns { get; init; } = PostTrainingColumnNames.Default;

    internal TokenizeForCausalLmOptions Validated()
    {
        if (MaxLength <= 0) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "TokenizeForCausalLm: MaxLength must be positive.");
        if (MinPromptTokens < 0) throw new ArgumentOutOfRangeException(nameof(MinPromptTokens), MinPromptTokens, "TokenizeForCausalLm: MinPromptTokens must be 0 or more.");
        if (!Enum.IsDefined(EosPolicy)) throw new ArgumentOutOfRangeException(nameof(EosPolicy), EosPolicy, "TokenizeForCausalLm: unknown EOS policy.");
        if (!Enum.IsDefined(PromptTruncation)) throw new ArgumentOutOfRangeException(nameof(PromptTruncation), PromptTruncation, "TokenizeForCausalLm: unknown prompt truncation.");
        ArgumentNullException.ThrowIfNull(Columns, "TokenizeForCausalLm: Columns");
        Columns.Validate("TokenizeForCausalLm.Columns");
        return this;
    }
}
