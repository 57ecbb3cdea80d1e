namespace XRight.MLNet;

/// <summary>The columns of MMLU rows for <c>mlContext.PostTraining.EvaluateMmlu</c>; the defaults are the keys of the benchmark's JSON Lines files.</summary>
public sealed record MmluColumns
{
    /// <summary>Text: the subject with underscores (<c>world_religions</c>). Default: <c>subject</c>.</summary>
    public string Subject { get; init; } = "subject";

    /// <summary>Text: the question. Default: <c>question</c>.</summary>
    public string Question { get; init; } = "question";

    /// <summary>Vector of text: the four options A–D. Default: <c>choices</c>.</summary>
    public string Choices { get; init; } = "choices";

    /// <summary>Integer: the index of the right option (A = 0). Default: <c>answer</c>.</summary>
    public string Answer { get; init; } = "answer";
}

/// <summary>The columns of HellaSwag rows for <c>mlContext.PostTraining.EvaluateHellaSwag</c>; the defaults are the keys of the benchmark's JSON Lines file.</summary>
public sealed record HellaSwagColumns
{
    /// <summary>Text: the activity label. Default: <c>activity_label</c>.</summary>
    public string ActivityLabel { get; init; } = "activity_label";

    /// <summary>Text: the first part of the context. Default: <c>ctx_a</c>.</summary>
    public string CtxA { get; init; } = "ctx_a";

    /// <summary>Text: the second part of the context. Default: <c>ctx_b</c>.</summary>
    public string CtxB { get; init; } = "ctx_b";

    /// <summary>Vector of text: the candidate endings. Default: <c>endings</c>.</summary>
    public string Endings { get; init; } = "endings";

    /// <summary>Integer: the index of the right ending. Default: <c>label</c>.</summary>
    public string Label { get; init; } = "label";

    /// <summary>Text, optional: the harness's query, used when present and <c>HellaSwagOptions.UseFileStrings</c> is true. Default: <c>query</c>.</summary>
    public string Query { get; init; } = "query";

    /// <summary>Vector of text, optional: the harness's cleaned choices, used like <see cref="Query"/>. Default: <c>choices</c>.</summary>
    public string Choices { get; init; } = "choices";
}

/// <summary>The columns of XSTest prompts for <c>mlContext.PostTraining.EvaluateXsTest</c>; the defaults are the keys of the benchmark's JSON Lines file.</summary>
public sealed record XsTestColumns
{
    /// <summary>Integer, optional: the prompt's id (the row number from 1 when absent). Default: <c>id</c>.</summary>
    public string Id { get; init; } = "id";

    /// <summary>Text: the prompt. Default: <c>prompt</c>.</summary>
    public string Prompt { get; init; } = "prompt";

    /// <summary>Text, optional: the prompt type (empty when absent). Default: <c>type</c>.</summary>
    public string Type { get; init; } = "type";

    /// <summary>Text: <c>safe</c> or <c>unsafe</c>. Default: <c>label</c>.</summary>
    public string Label { get; init; } = "label";
}

/// <summary>The columns of preference rows for <c>mlContext.PostTraining.EvaluateRewardWinRate</c>.</summary>
public sealed record WinRateColumns
{
    /// <summary>Text: the prompt. Default: <c>prompt</c>.</summary>
    public string Prompt { get; init; } = "prompt";

    /// <summary>Text: the reference (chosen) response. Default: <c>chosen</c>.</summary>
    public string Chosen { get; init; } = "chosen";
}
