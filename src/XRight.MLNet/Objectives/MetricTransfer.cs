using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Objectives;

/// <summary>Reads several scalar tensors to the host with a single device synchronisation.</summary>
internal static class MetricTransfer
{
    /// <summary>Concatenates the detached scalars on their device as fp32 and copies them once.</summary>
    public static double[] Read(params Tensor[] scalars)
    {
        using var scope = torch.NewDisposeScope();
        for (int i = 0; i < scalars.Length; i++)
        {
            if (scalars[i].numel() != 1)
                throw new ArgumentException($"Metric {i} must be a scalar tensor; found shape [{string.Join(", ", scalars[i].shape)}].", nameof(scalars));
        }
        var stacked = torch.cat(scalars.Select(s => s.detach().reshape(1).to_type(ScalarType.Float32)).ToArray(), 0).cpu();
        return stacked.data<float>().Select(v => (double)v).ToArray();
    }
}
