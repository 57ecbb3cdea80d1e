using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Objectives;

/// <summary>Gathers scalar metric tensors into one vector, so that reading them costs one device synchronisation.</summary>
internal static class MetricTransfer
{
    /// <summary>The detached scalars as one fp64 vector on their device (nothing is read yet).</summary>
    public static Tensor Stack(params Tensor[] scalars)
    {
        for (int i = 0; i < scalars.Length; i++)
        {
            if (scalars[i].numel() != 1)
                throw new ArgumentException($"Metric {i} must be a scalar tensor; found shape [{string.Join(", ", scalars[i].shape)}].", nameof(scalars));
        }
        using var scope = torch.NewDisposeScope();
        return torch.cat(scalars.Select(s => s.detach().reshape(1).to_type(ScalarType.Float64)).ToArray(), 0).MoveToOuterDisposeScope();
    }

    /// <summary>Stacks the scalars and copies them to the host at once.</summary>
    public static double[] Read(params Tensor[] scalars)
    {
        using var stacked = Stack(scalars);
        using var host = stacked.cpu();
        return host.data<double>().ToArray();
    }
}
