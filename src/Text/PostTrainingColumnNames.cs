namespace XRight.Data;

/// <summary>The text columns that hold instruction and preference data. Names are case-sensitive.</summary>
public sealed class PostTrainingColumnNames
{
    /// <summary>The prompt column. Default: <c>Prompt</c>.</summary>
    public string Prompt { get; set; } = "Prompt";

    /// <summary>The response column of instruction data. Default: <c>Response</c>.</summary>
    public string Response { get; set; } = "Response";

    /// <summary>The preferred-response column of preference data. Default: <c>Chosen</c>.</summary>
    public string Chosen { get; set; } = "Chosen";

    /// <summary>The dispreferred-response column of preference data. Default: <c>Rejected</c>.</summary>
    public string Rejected { get; set; } = "Rejected";
}
