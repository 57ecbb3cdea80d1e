using System.Text.Json.Serialization;

namespace XRight.Selection;

/// <summary>The epoch split of a Sequential run: <c>T_DPO</c> epochs of DPO and <c>T_SFT</c> epochs of SFT (either order).</summary>
/// <param name="DpoEpochs">T_DPO, the epochs spent on the DPO objective.</param>
/// <param name="SftEpochs">T_SFT, the epochs spent on the SFT objective.</param>
public sealed record SequentialSchedule(int DpoEpochs, int SftEpochs)
{
    /// <summary>T_DPO + T_SFT.</summary>
    [JsonIgnore]
    public int TotalEpochs => DpoEpochs + SftEpochs;

    /// <inheritdoc />
    public override string ToString() => $"(T_DPO, T_SFT) = ({DpoEpochs}, {SftEpochs})";
}
