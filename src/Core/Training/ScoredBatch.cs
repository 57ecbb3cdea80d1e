using static TorchSharp.torch;

namespace XRight.Training;

/// <summary>
/// One batch's objective: the loss that carries the graph, and the batch's logged metrics as a detached
/// vector still on the device, so the step reads them together with everything else in one transfer.
/// </summary>
internal sealed class ScoredBatch(Tensor loss, Tensor metrics) : IDisposable
{
    public Tensor Loss { get; } = loss;

    public Tensor Metrics { get; } = metrics;

    public void Dispose()
    {
        Loss.Dispose();
        Metrics.Dispose();
    }
}
