using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using XRight.Selection;
using XRight.Training;

namespace XRight.MLNet;

/// <summary>
/// XRight's post-training operations on an MLContext: <c>mlContext.PostTraining</c>. Using it registers
/// XRight's model loaders on that MLContext, so it can also load saved models.
/// </summary>
public sealed class PostTrainingCatalog
{
    private readonly MLContext _context;
    private readonly IHostEnvironment _environment;

    internal PostTrainingCatalog(MLContext context)
    {
        _context = context;
        _environment = context;
        context.ComponentCatalog.RegisterXRight();
    }

    /// <summary>
    /// One lazy view of instruction rows followed by preference rows, with the columns Kind ("sft" or
    /// "dpo"), Prompt, Response, Chosen and Rejected, so one pipeline of text stages and one Fit serve both.
    /// </summary>
    public IDataView CombineData(IDataView instructions, IDataView preferences, CombineDataOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(preferences);
        return new CombinedDataView(instructions, preferences, options ?? new CombineDataOptions());
    }

    /// <summary>The joint SFT/DPO trainer as an estimator (strategy, λ, model and the rest in <paramref name="options"/>).</summary>
    /// <param name="options">The model, columns and training options.</param>
    /// <param name="progress">Receives a report after every optimizer step (evaluations also go to <c>MLContext.Log</c>).</param>
    public JointPostTrainEstimator JointPostTrain(JointPostTrainOptions options, IProgress<TrainingProgress>? progress = null) => new(_environment, options, progress);

    /// <summary>
    /// f_SFT, f_DPO and the reward metrics of a fitted pipeline on <paramref name="data"/> (raw rows: the
    /// pipeline's text stages are applied), plus the optimality gaps and ideal distance when f* is given.
    /// </summary>
    public PostTrainingMetrics Evaluate(ITransformer model, IDataView data, double? dpoOptimum = null, double? sftOptimum = null, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var (prefix, postTrained) = Split(model);
        var rows = PostTrainingRowReader.Read(prefix?.Transform(data) ?? data, postTrained.Columns, strict: false);
        var m = postTrained.Model.Evaluate(rows.Instructions, rows.Preferences, batchSize);
        double? sftGap = sftOptimum is { } s ? m.FSft - s : null;
        double? dpoGap = dpoOptimum is { } d ? m.FDpo - d : null;
        double? distance = sftGap is { } a && dpoGap is { } b ? Math.Sqrt(a * a + b * b) : null;
        return new PostTrainingMetrics(m.FSft, m.FDpo, m.SftTokenAccuracy, m.RewardAccuracy, m.RewardMargin, m.ChosenReward,
            m.RejectedReward, m.InstructionRows, m.PreferenceRows, sftGap, dpoGap, distance);
    }

    /// <summary>
    /// The Pareto-aware selection stage: a λ sweep of the given strategies (and the Sequential grid as
    /// baselines), f* estimates, held-out evaluation, the Pareto front, and the model a rule picks.
    /// </summary>
    /// <param name="baseOptions">The options every candidate shares; the sweep varies the strategy, λ and the Sequential split.</param>
    /// <param name="options">The sweep.</param>
    /// <param name="progress">Receives which candidate is training and its step reports.</param>
    public ParetoSelectEstimator ParetoSelect(JointPostTrainOptions baseOptions, ParetoSelectOptions? options = null, IProgress<ParetoProgress>? progress = null)
        => new(_context, baseOptions, options ?? new ParetoSelectOptions(), progress);

    /// <summary>Loads a model zip (registration included); the same as <c>mlContext.Model.Load</c> after registering.</summary>
    public ITransformer LoadModel(string path, out DataViewSchema inputSchema) => _context.Model.Load(path, out inputSchema);

    // The text stages before the post-trained model, and the model itself.
    private static (ITransformer? Prefix, JointPostTrainTransformer Model) Split(ITransformer model)
    {
        if (model is JointPostTrainTransformer alone) return (null, alone);
        if (model is IEnumerable<ITransformer> chain) // any TransformerChain<T>
        {
            var parts = chain.ToArray();
            int at = Array.FindLastIndex(parts, t => t is JointPostTrainTransformer);
            if (at >= 0)
                return (at == 0 ? null : new TransformerChain<ITransformer>(parts[..at]), (JointPostTrainTransformer)parts[at]);
        }
        throw new ArgumentException("The model contains no JointPostTrain stage to evaluate.", nameof(model));
    }
}
