namespace XRight;

/// <summary>The two post-training objectives.</summary>
public enum ObjectiveKind
{
    /// <summary>Supervised fine-tuning: token-mean negative log-likelihood of the responses.</summary>
    Sft,

    /// <summary>Direct preference optimisation on (prompt, chosen, rejected) pairs.</summary>
    Dpo,
}
