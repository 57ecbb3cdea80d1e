namespace XRight.TextStages;

/// <summary>How the conversation columns read by <c>ApplyChatTemplate</c> are written.</summary>
public enum ConversationFormat
{
    /// <summary>
    /// JSON lists of <c>{"role", "content"}</c> messages (read from JSON Lines with <c>JsonLinesOptions.JsonTextColumns</c>,
    /// or from Parquet lists of role/content structs): <c>Messages</c> for instruction data; for preference data TRL's
    /// conversational format, <c>Prompt</c> messages with <c>Chosen</c>/<c>Rejected</c> assistant turns, or, without a prompt,
    /// whole <c>Chosen</c>/<c>Rejected</c> conversations that share every turn before their final assistant turn.
    /// </summary>
    Messages,

    /// <summary>
    /// Anthropic HH-RLHF transcripts (<c>"\n\nHuman: … \n\nAssistant: …"</c>): <c>Messages</c> holds a whole transcript
    /// for instruction data; for preference data either <c>Prompt</c> holds the transcript up to the open
    /// <c>"\n\nAssistant:"</c> and <c>Chosen</c>/<c>Rejected</c> the plain answers (as in Dahoas/rm-hh-rlhf), or, with no
    /// prompt, <c>Chosen</c>/<c>Rejected</c> are whole transcripts (as in Anthropic/hh-rlhf).
    /// </summary>
    HhTranscript,
}
