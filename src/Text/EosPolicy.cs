namespace XRight.Text;

/// <summary>How the end-of-sequence token follows a response in training data.</summary>
public enum EosPolicy
{
    /// <summary>
    /// As the reference code (OpenRLHF): the text is <c>prompt + response</c> with trailing newlines removed,
    /// then a space and the EOS token text, so the ids end with the id of a space and EOS. The default.
    /// </summary>
    ReferenceCode = 0,

    /// <summary>The EOS id is appended right after the response's ids, without a space.</summary>
    AppendToken = 1,

    /// <summary>No EOS: the response's ids only.</summary>
    None = 2,
}
