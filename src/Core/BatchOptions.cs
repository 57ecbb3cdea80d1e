namespace XRight;

/// <summary>How rows become batches. Defaults are the paper's batch sizes: SFT 12, DPO 4.</summary>
public sealed record BatchOptions
{
    /// <summary>Instruction rows per micro-batch. Default: 12.</summary>
    public int SftBatchSize { get; init; } = 12;

    /// <summary>Preference pairs per micro-batch. Default: 4.</summary>
    public int DpoBatchSize { get; init; } = 4;

    /// <summary>Micro-batches per optimizer step. Default: 1.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Put rows of similar length in the same batch to cut padding. Default: true.</summary>
    public bool GroupByLength { get; init; } = true;

    internal void Validate()
    {
        var check = new OptionCheck("Batches");
        check.Require(SftBatchSize >= 1, nameof(SftBatchSize), SftBatchSize, "must be at least 1");
        check.Require(DpoBatchSize >= 1, nameof(DpoBatchSize), DpoBatchSize, "must be at least 1");
        check.Require(GradientAccumulationSteps >= 1, nameof(GradientAccumulationSteps), GradientAccumulationSteps, "must be at least 1");
    }
}
