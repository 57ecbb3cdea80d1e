namespace XRight;

/// <summary>The form of the preference loss applied to the implicit reward margin.</summary>
public enum DpoLossType
{
    /// <summary>DPO's logistic loss <c>−log σ(h)</c> (with optional label smoothing, cDPO).</summary>
    Sigmoid,

    /// <summary>IPO's squared loss <c>(h/β − 1/(2β))²</c>.</summary>
    Ipo,
}
