namespace XRight;

/// <summary>How the learning rate changes over the run.</summary>
public enum LearningRateScheduleKind
{
    /// <summary>The same rate at every step (the paper's setting).</summary>
    Constant,

    /// <summary>Linear warm-up from 0, then cosine decay to 0 at the last step.</summary>
    WarmupCosine,
}
