namespace XRight.Evaluation;

/// <summary>One MMLU question: a row of a subject's <c>dev</c> or <c>test</c> CSV in the original release.</summary>
/// <param name="Subject">The subject, with underscores (<c>world_religions</c>).</param>
/// <param name="Question">The question exactly as in the CSV (some keep a leading space).</param>
/// <param name="Choices">The four options A–D.</param>
/// <param name="Answer">The index of the right option (A = 0 … D = 3).</param>
public sealed record MmluQuestion(string Subject, string Question, IReadOnlyList<string> Choices, int Answer);

/// <summary>
/// One HellaSwag row: the source fields, and, when the file carries them, the harness's <c>query</c> and
/// <c>choices</c> (which <see cref="HellaSwagPrompts"/> can also build from the source fields).
/// </summary>
public sealed record HellaSwagItem
{
    /// <summary>The row's <c>ind</c>.</summary>
    public int Ind { get; init; }

    /// <summary>The activity (ActivityNet) or WikiHow category, which starts the query.</summary>
    public required string ActivityLabel { get; init; }

    /// <summary>The first part of the context.</summary>
    public required string CtxA { get; init; }

    /// <summary>The second part of the context (empty for WikiHow rows); the harness capitalizes it.</summary>
    public required string CtxB { get; init; }

    /// <summary>The four candidate endings, raw.</summary>
    public required IReadOnlyList<string> Endings { get; init; }

    /// <summary>The index of the right ending.</summary>
    public int Label { get; init; }

    /// <summary><c>indomain</c> or <c>zeroshot</c>, when known.</summary>
    public string? SplitType { get; init; }

    /// <summary>The source video or article, when known.</summary>
    public string? SourceId { get; init; }

    /// <summary>The harness's query (<c>doc_to_text</c>), when the file carries it.</summary>
    public string? Query { get; init; }

    /// <summary>The harness's cleaned choices (<c>doc_to_choice</c>), when the file carries them.</summary>
    public IReadOnlyList<string>? Choices { get; init; }
}

/// <summary>One XSTest prompt (v2 prompt set).</summary>
/// <param name="Id">The prompt's id (1–450).</param>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Type">The prompt type, e.g. <c>homonyms</c>; unsafe types start with <c>contrast_</c>.</param>
/// <param name="Label"><c>safe</c> or <c>unsafe</c>.</param>
/// <param name="Focus">The word the prompt turns on (may be empty).</param>
/// <param name="Note">The authors' note (may be empty).</param>
public sealed record XsTestPrompt(int Id, string Prompt, string Type, string Label, string Focus, string Note)
{
    /// <summary>True for a safe prompt, which a model should answer; false for an unsafe (contrast) one, which it should refuse.</summary>
    public bool IsSafe => Label == "safe";
}

/// <summary>A prompt with the reference response the generated one is compared with (the chosen response of a preference pair).</summary>
/// <param name="Prompt">The prompt, as the policy sees it before its template is applied.</param>
/// <param name="Chosen">The reference (chosen) response.</param>
public sealed record WinRateItem(string Prompt, string Chosen);
