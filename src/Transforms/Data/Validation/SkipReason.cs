namespace XRight.Data.Validation;

/// <summary>Why a row cannot be trained on; the order is the order of the checks.</summary>
internal enum SkipReason
{
    EmptyPrompt,
    EmptyResponse,
    EmptyChosen,
    EmptyRejected,
    ChosenEqualsRejected,
    TooLong,
}
