namespace XRight;

/// <summary>Which objective the Sequential baseline trains first.</summary>
public enum SequentialOrder
{
    /// <summary>DPO epochs, then SFT epochs (the paper's main setting).</summary>
    DpoThenSft,

    /// <summary>SFT epochs, then DPO epochs (the usual post-training recipe).</summary>
    SftThenDpo,
}
