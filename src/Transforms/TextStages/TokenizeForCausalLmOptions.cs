using XRight.Text;

namespace XRight.TextStages;

/// <summary>
/// Options of <c>TokenizeForCausalLm</c>. Each text column present in the input is tokenized into an
/// Int32 vector column named <c>&lt;column&gt;Tokens</c>; absent ones are skipped, so the same fitted
/// stage serves training data and prompt-only rows.
/// </summary>
public sealed class TokenizeForCausalLmOptions
{
    /// <summary>Token budget of prompt + the longest response of a row, EOS and BOS included. Required.</summary>
    public int MaxLength { get; set; }

    /// <summary>How EOS ends each response. Default: <see cref="EosPolicy.ReferenceCode"/>.</summary>
    public EosPolicy EosPolicy { get; set; } = EosPolicy.ReferenceCode;

    /// <summary>How a too-long prompt is cut. Default: <see cref="PromptTruncation.KeepEnd"/>. Responses are never cut.</summary>
    public PromptTruncation PromptTruncation { get; set; } = PromptTruncation.KeepEnd;

    /// <summary>
    /// The fewest prompt tokens a truncated prompt may keep (or the whole prompt when shorter); a row
    /// whose responses leave less room does not fit. Default: 8.
    /// </summary>
    public int MinPromptTokens { get; set; } = 8;

    /// <summary>Prompt column (already templated). Default: Prompt.</summary>
    public string PromptColumnName { get; set; } = "Prompt";

    /// <summary>Response column of instruction rows. Default: Response.</summary>
    public string ResponseColumnName { get; set; } = "Response";

    /// <summary>Chosen-answer column of preference rows. Default: Chosen.</summary>
    public string ChosenColumnName { get; set; } = "Chosen";

    /// <summary>Rejected-answer column of preference rows. Default: Rejected.</summary>
    public string RejectedColumnName { get; set; } = "Rejected";

    /// <summary>Boolean output column: false where the row cannot fit in <see cref="MaxLength"/> (its token columns are then empty). Default: TokensFit.</summary>
    public string FitsColumnName { get; set; } = "TokensFit";

    /// <summary>Name of the token column made from a text column.</summary>
    public static string TokensColumnFor(string textColumnName) => textColumnName + "Tokens";

    internal TokenizeForCausalLmOptions Validated()
    {
        if (MaxLength <= 0) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "TokenizeForCausalLm: MaxLength must be positive.");
        if (MinPromptTokens < 0) throw new ArgumentOutOfRangeException(nameof(MinPromptTokens), MinPromptTokens, "TokenizeForCausalLm: MinPromptTokens must be 0 or more.");
        if (!Enum.IsDefined(EosPolicy)) throw new ArgumentOutOfRangeException(nameof(EosPolicy), EosPolicy, "TokenizeForCausalLm: unknown EOS policy.");
        if (!Enum.IsDefined(PromptTruncation)) throw new ArgumentOutOfRangeException(nameof(PromptTruncation), PromptTruncation, "TokenizeForCausalLm: unknown prompt truncation.");
        var names = new[] { PromptColumnName, ResponseColumnName, ChosenColumnName, RejectedColumnName };
        foreach (var name in names.Append(FitsColumnName)) ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException($"TokenizeForCausalLm: the prompt, response, chosen and rejected columns must differ, got {string.Join(", ", names)}.");
        return (TokenizeForCausalLmOptions)MemberwiseClone();
    }
}
