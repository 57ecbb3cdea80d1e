namespace XRight;

/// <summary>
/// Marks an option that does not change what a run computes (where files go, how often they are saved),
/// so a checkpoint may be resumed with another value. Every other option is part of the run's fingerprint.
/// </summary>
/// <param name="reason">Why the option cannot change the result.</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotInFingerprintAttribute(string reason) : Attribute
{
    /// <summary>Why the option cannot change the result.</summary>
    public string Reason { get; } = reason;
}
