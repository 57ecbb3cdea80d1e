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

    /// <summary>
    /// Padding-free SFT batches: the rows of an SFT micro-batch are packed into as few sequences as fit, each no
    /// longer than the batch's longest row; attention stays within each row (a block-diagonal causal mask),
    /// positions restart at 0 for every row, and each row's response tokens are scored as in a padded batch, so
    /// the loss is the padded path's up to float rounding. Saves the compute spent on padding when rows differ in
    /// length; DPO batches and held-out evaluation stay padded. Default: false.
    /// </summary>
    public bool PackSft { get; init; }

    internal void Validate()
    {
        var check = new OptionCheck("Batches");
        check.Require(SftBatchSize >= 1, nameof(SftBatchSize), SftBatchSize, "must be at least 1");
        check.Require(DpoBatchSize >= 1, nameof(DpoBatchSize), DpoBatchSize, "must be at least 1");
        check.Require(GradientAccumulationSteps >= 1, nameof(GradientAccumulationSteps), GradientAccumulationSteps, "must be at least 1");
    }
}
