namespace XRight.MLNet;

/// <summary>The column names XRight's stages use unless told otherwise.</summary>
public static class PostTrainingColumns
{
    /// <summary>Which data set a row of a combined view came from: <see cref="SftKind"/> or <see cref="DpoKind"/>.</summary>
    public const string Kind = "Kind";

    /// <summary>The instruction or dialogue the model answers.</summary>
    public const string Prompt = "Prompt";

    /// <summary>The demonstrated answer of an instruction row (SFT).</summary>
    public const string Response = "Response";

    /// <summary>The preferred answer of a preference row (DPO).</summary>
    public const string Chosen = "Chosen";

    /// <summary>The dispreferred answer of a preference row (DPO).</summary>
    public const string Rejected = "Rejected";

    /// <summary>Value of <see cref="Kind"/> for instruction rows.</summary>
    public const string SftKind = "sft";

    /// <summary>Value of <see cref="Kind"/> for preference rows.</summary>
    public const string DpoKind = "dpo";
}
