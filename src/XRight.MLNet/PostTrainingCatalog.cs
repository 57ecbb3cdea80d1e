using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using XRight.Evaluation;
using XRight.Interop;
using XRight.Modeling.Lora;
using XRight.Objectives;
using XRight.Selection;
using XRight.Text;
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

    /// <summary>
    /// The joint SFT/DPO trainer as an estimator (strategy, λ, model and the rest in <paramref name="options"/>).
    /// The context's conventions apply to the options: when <c>Runtime.Seed</c> is null the context's seed
    /// is the run's seed (<see cref="XRight.RuntimeOptions.DefaultSeed"/> when the context has none), and when
    /// <c>Runtime.Device</c> is <c>auto</c>, <c>MLContext.GpuDeviceId</c> = N asks for <c>cuda:N</c>, with
    /// <c>MLContext.FallbackToCpu</c> allowing the CPU when that GPU is not usable.
    /// </summary>
    /// <param name="options">The model, columns and training options.</param>
    /// <param name="progress">Receives a report after every optimizer step (evaluations also go to <c>MLContext.Log</c>).</param>
    /// <exception cref="InvalidOperationException"><c>MLContext.GpuDeviceId</c> names a GPU this process cannot use and <c>FallbackToCpu</c> is false.</exception>
    public JointPostTrainEstimator JointPostTrain(JointPostTrainOptions options, IProgress<TrainingProgress>? progress = null) => new(_environment, options, progress);

    /// <summary>
    /// The joint SFT/DPO trainer from a local Hugging Face folder with the common settings as arguments;
    /// everything else keeps the defaults of <see cref="JointPostTrainOptions"/>. The same as
    /// <see cref="JointPostTrain(JointPostTrainOptions, IProgress{TrainingProgress})"/> with those options.
    /// </summary>
    /// <param name="baseModel">The model folder (config.json, safetensors weights, tokenizer files).</param>
    /// <param name="strategy">How the two objectives share the steps.</param>
    /// <param name="lambda">Weight of DPO, in [0, 1].</param>
    /// <param name="beta">DPO temperature β.</param>
    /// <param name="epochs">Passes over the instruction data.</param>
    /// <param name="lora">LoRA adapters to train instead of every weight; null for full fine-tuning.</param>
    /// <param name="progress">Receives a report after every optimizer step.</param>
    public JointPostTrainEstimator JointPostTrain(string baseModel, JointStrategy strategy = JointStrategy.AlRight, double lambda = 0.5,
        double beta = 0.1, int epochs = 1, LoraOptions? lora = null, IProgress<TrainingProgress>? progress = null)
        => JointPostTrain(new JointPostTrainOptions
        {
            BaseModel = baseModel,
            Strategy = new StrategyOptions { Kind = strategy, Lambda = lambda, Epochs = epochs },
            Dpo = new DpoLossOptions { Beta = beta },
            Lora = lora,
        }, progress);

    /// <summary>
    /// f_SFT, f_DPO and the reward metrics of a fitted pipeline on <paramref name="data"/> (raw rows: the
    /// pipeline's text stages are applied; rows that data validation skips are left out), batched, plus the
    /// optimality gaps and ideal distance when f* is given.
    /// </summary>
    public PostTrainingMetrics Evaluate(ITransformer model, IDataView data, double? dpoOptimum = null, double? sftOptimum = null, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var (prefix, postTrained) = Split(model);
        var rows = PostTrainingRowReader.Read(prefix?.Transform(data) ?? data, postTrained.Columns, strict: false);
        return new PostTrainingMetrics(postTrained.Model.Evaluate(rows.Instructions, rows.Preferences, batchSize), dpoOptimum, sftOptimum);
    }

    /// <summary>
    /// The metrics of scored data, as ML.NET's evaluators read a transformed view: <paramref name="data"/>
    /// is the output of a fitted post-training model's <c>Transform</c> (with the text stages before it).
    /// Instruction rows give f_SFT = −Σ <c>ResponseLogLikelihood</c> / Σ response tokens (the token mean, with
    /// the lengths of <c>ResponseTokens</c>) and the token-weighted mean of <c>ResponseTokenAccuracy</c>;
    /// preference rows give f_DPO = mean of −log σ(<c>ChosenReward</c> − <c>RejectedReward</c>) (the rewards
    /// are β·(log π − log π_ref), so the model's β and reference are in them), the reward accuracy from
    /// <c>PreferenceCorrect</c> and the mean margin and rewards. A row counts for a kind when its scores are
    /// finite, its <c>TokensFit</c> is true and its <c>Kind</c> names that kind (where those columns exist),
    /// so the other kind's rows of a combined view and rows without tokens are left out. Unlike
    /// <see cref="Evaluate(ITransformer, IDataView, double?, double?, int)"/>, data validation's skipping of
    /// rows with empty text or chosen == rejected is not applied: every scored row counts.
    /// </summary>
    /// <param name="data">A scored view.</param>
    /// <param name="dpoOptimum">f*_DPO, for the DPO gap and the ideal distance.</param>
    /// <param name="sftOptimum">f*_SFT, for the SFT gap and the ideal distance.</param>
    /// <param name="columns">The column names the model was trained with; default: <see cref="PostTrainingColumnNames.Default"/>.</param>
    public PostTrainingMetrics Evaluate(IDataView data, double? dpoOptimum = null, double? sftOptimum = null, PostTrainingColumnNames? columns = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new PostTrainingMetrics(ScoredDataEvaluation.Evaluate(data, columns ?? PostTrainingColumnNames.Default), dpoOptimum, sftOptimum);
    }

    /// <summary>
    /// MMLU k-shot accuracy of a fitted post-training model (the policy and tokenizer of its <c>JointPostTrain</c>
    /// stage) by log-likelihood, as lm-evaluation-harness scores it (<see cref="MmluBenchmark"/>): each row of
    /// <paramref name="test"/> is asked with the first <see cref="MmluOptions.Shots"/> rows of its subject in
    /// <paramref name="dev"/> as worked examples.
    /// </summary>
    /// <param name="model">A fitted pipeline with a <c>JointPostTrain</c> stage.</param>
    /// <param name="test">The questions: subject, question, choices (vector of text), answer (integer).</param>
    /// <param name="dev">The shots, same columns.</param>
    /// <param name="options">Shots, prompt format and scoring. Default: one shot, the harness's format.</param>
    /// <param name="columns">The column names; default: the JSON Lines files' keys.</param>
    /// <exception cref="ArgumentException">A column is missing or of another type, or a value is invalid; the message names the view, column and row.</exception>
    public MmluMetrics EvaluateMmlu(ITransformer model, IDataView test, IDataView dev, MmluOptions? options = null, MmluColumns? columns = null)
    {
        var policy = Split(model).Model;
        columns ??= new MmluColumns();
        var benchmark = new MmluBenchmark(BenchmarkRowReader.Mmlu(dev, columns), BenchmarkRowReader.Mmlu(test, columns), options);
        return new MmluMetrics(benchmark.Evaluate(policy.Policy, policy.Tokenizer));
    }

    /// <summary>
    /// HellaSwag 0-shot accuracy (<c>acc</c> and <c>acc_norm</c>) of a fitted post-training model by log-likelihood,
    /// as lm-evaluation-harness scores it (<see cref="HellaSwagBenchmark"/>).
    /// </summary>
    /// <param name="model">A fitted pipeline with a <c>JointPostTrain</c> stage.</param>
    /// <param name="data">The rows: activity_label, ctx_a, ctx_b, endings (vector of text), label (integer), and optionally the harness's query and choices.</param>
    /// <param name="options">Which strings to use and how to score.</param>
    /// <param name="columns">The column names; default: the JSON Lines file's keys.</param>
    /// <exception cref="ArgumentException">A column is missing or of another type, or a value is invalid.</exception>
    public HellaSwagMetrics EvaluateHellaSwag(ITransformer model, IDataView data, HellaSwagOptions? options = null, HellaSwagColumns? columns = null)
    {
        var policy = Split(model).Model;
        var benchmark = new HellaSwagBenchmark(BenchmarkRowReader.HellaSwag(data, columns ?? new HellaSwagColumns()), options);
        return new HellaSwagMetrics(benchmark.Evaluate(policy.Policy, policy.Tokenizer));
    }

    /// <summary>
    /// XSTest: the model answers every prompt (template and generation settings in <paramref name="options"/>,
    /// recorded in the result) and each answer is classified by the authors' string match (<see cref="XsTestBenchmark"/>).
    /// </summary>
    /// <param name="model">A fitted pipeline with a <c>JointPostTrain</c> stage.</param>
    /// <param name="data">The prompts: prompt, label (<c>safe</c>/<c>unsafe</c>), and optionally id and type.</param>
    /// <param name="options">Template and generation settings.</param>
    /// <param name="columns">The column names; default: the JSON Lines file's keys.</param>
    /// <exception cref="ArgumentException">A column is missing or of another type, or a label is neither safe nor unsafe.</exception>
    public XsTestMetrics EvaluateXsTest(ITransformer model, IDataView data, XsTestOptions? options = null, XsTestColumns? columns = null)
    {
        var policy = Split(model).Model;
        var benchmark = new XsTestBenchmark(BenchmarkRowReader.XsTest(data, columns ?? new XsTestColumns()), options);
        var outcomes = benchmark.Generate(policy.Policy, policy.Tokenizer);
        return new XsTestMetrics(benchmark.Summarize(outcomes), outcomes);
    }

    /// <summary>
    /// Reward-model win rate: the model answers every prompt and <paramref name="rewardModel"/> (a sequence-classification
    /// head, see <see cref="RewardModel"/>) compares each answer with the chosen response (<see cref="RewardWinRateBenchmark"/>).
    /// </summary>
    /// <param name="model">A fitted pipeline with a <c>JointPostTrain</c> stage.</param>
    /// <param name="data">The rows: prompt and chosen (text).</param>
    /// <param name="rewardModel">The judge; the caller keeps and disposes it.</param>
    /// <param name="options">Generation settings and the reward model's template.</param>
    /// <param name="columns">The column names; default: <c>prompt</c>, <c>chosen</c>.</param>
    public WinRateMetrics EvaluateRewardWinRate(ITransformer model, IDataView data, RewardModel rewardModel, WinRateOptions? options = null, WinRateColumns? columns = null)
    {
        ArgumentNullException.ThrowIfNull(rewardModel);
        var policy = Split(model).Model;
        var benchmark = new RewardWinRateBenchmark(BenchmarkRowReader.WinRate(data, columns ?? new WinRateColumns()), options);
        return new WinRateMetrics(benchmark.Evaluate(policy.Policy, policy.Tokenizer, rewardModel));
    }

    /// <summary>
    /// ML.NET's <c>MLContext.CancelExecution()</c>, which Microsoft.ML keeps internal (it is public only
    /// through the Microsoft.ML.Experimental package): a running <c>Fit</c> of this context's post-training
    /// stages stops before its next step with <see cref="OperationCanceledException"/>, keeping the
    /// checkpoints written so far; ML.NET's own components stop as well. Stages created afterwards run
    /// normally, as in ML.NET.
    /// </summary>
    public void CancelExecution() => MlNetBridge.CancelExecution(_context);

    /// <summary>
    /// The Pareto-aware selection stage: a λ sweep of the given strategies (and the Sequential grid as
    /// baselines), f* estimates, held-out evaluation, the Pareto front, and the model a rule picks. The
    /// context's seed and GPU settings apply to <paramref name="baseOptions"/> as in <see cref="JointPostTrain(JointPostTrainOptions, IProgress{TrainingProgress})"/>.
    /// </summary>
    /// <param name="baseOptions">The options every candidate shares; the sweep varies the strategy, λ and the Sequential split.</param>
    /// <param name="options">The sweep.</param>
    /// <param name="progress">Receives which candidate is training and its step reports.</param>
    public ParetoSelectEstimator ParetoSelect(JointPostTrainOptions baseOptions, ParetoSelectOptions? options = null, IProgress<ParetoProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(baseOptions);
        return new(_context, MlContextConventions.Apply(_environment, baseOptions), options ?? new ParetoSelectOptions(), progress);
    }

    /// <summary>Loads a model zip (registration included); the same as <c>mlContext.Model.Load</c> after registering.</summary>
    public ITransformer LoadModel(string path, out DataViewSchema inputSchema) => ModelZipLoader.Load(_context, path, out inputSchema);

    // The text stages before the post-trained model, and the model itself.
    private static (ITransformer? Prefix, JointPostTrainTransformer Model) Split(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
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
