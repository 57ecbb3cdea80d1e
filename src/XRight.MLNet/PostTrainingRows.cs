using XRight.Data;
using XRight.Training;

namespace XRight.MLNet;

/// <summary>The token rows of a data view, split by kind, with what was skipped and why.</summary>
internal sealed record PostTrainingRows(
    IReadOnlyList<TokenizedInstruction> Instructions, IReadOnlyList<TokenizedPreference> Preferences,
    DataValidationReport InstructionReport, DataValidationReport PreferenceReport)
{
    /// <summary>The tokenizer stage's MaxLength, when the token columns say it: the limit behind "too long".</summary>
    public int? TokenLimit { get; init; }
}
