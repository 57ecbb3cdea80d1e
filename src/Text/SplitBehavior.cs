namespace XRight.Text;

/// <summary>What a Hugging Face <c>Split</c> pre-tokenizer does with the pieces its pattern matches.</summary>
internal enum SplitBehavior
{
    /// <summary>Matches are dropped.</summary>
    Removed,

    /// <summary>Every match and every stretch between matches is its own piece.</summary>
    Isolated,

    /// <summary>A match is joined to the piece before it.</summary>
    MergedWithPrevious,

    /// <summary>A match is joined to the piece after it.</summary>
    MergedWithNext,

    /// <summary>Consecutive matches form one piece.</summary>
    Contiguous,
}
