using System.Globalization;
using Microsoft.ML;
using Spectre.Console;
using XRight;
using XRight.MLNet;
using XRight.Samples;
using XRight.Selection;
using XRight.Text;

// XRight quick start: joint SFT/DPO post-training with Pareto-aware model selection, on data and a tiny
// model the sample makes itself (no downloads), or on your own Parquet/JSONL files and Hugging Face folder.

QuickStartOptions options;
try { options = QuickStartOptions.Parse(args); }
catch (ArgumentException e) { Console.Error.WriteLine(e.Message); return 2; }

var output = Path.GetFullPath(options.Output);
Directory.CreateDirectory(output);
var ml = new MLContext(seed: options.Seed);   // the seed of every run below (their options leave Runtime.Seed unset)

// 1. Data: two separate sets, instruction (prompt, response) and preference (prompt, chosen, rejected).
var (instructions, preferences) = QuickStartData.Load(ml, options, output);
var data = ml.PostTraining.CombineData(instructions, preferences);

// 2. Text stages: the reference code's prompt template, then token ids within a budget. EOS follows the
//    answer directly (the reference code puts a space before it, which a byte-level model confuses with
//    the space that ends the prompt).
var tokenizer = options.Model is { } folder ? CausalLmTokenizer.FromPretrained(folder) : CausalLmTokenizer.CreateByteLevel();
var template = XRight.Text.PromptTemplate.UserAssistant;
var textStages = ml.Transforms.Text.FormatPrompt(template: template)
    .Append(ml.Transforms.Text.TokenizeForCausalLm(tokenizer, new XRight.TextStages.TokenizeForCausalLmOptions { MaxLength = 128, EosPolicy = XRight.Text.EosPolicy.AppendToken }));
var text = textStages.Fit(data);
var tokenized = text.Transform(data);

// 3. The model to post-train: your Hugging Face folder, or a tiny stand-in that first reads the task's facts.
var baseModel = options.Model ?? AnsiConsole.Status().Start("Making a tiny base model that has read the facts...",
    _ => TinyBaseModel.Create(Path.Combine(output, "base-model"), tokenizer, template, options.Seed, progress: null));

// 4. The joint trainer's options, shared by every run of the sweep.
var trainer = new JointPostTrainOptions
{
    BaseModel = baseModel,
    Tokenizer = tokenizer,
    Strategy = new() { Epochs = options.Epochs },
    Dpo = new() { Beta = 0.5 },
    Optimizer = new() { LearningRate = options.Model is null ? 1e-3 : 2e-4 },
    Batches = new() { SftBatchSize = 4, DpoBatchSize = 4 },
    Evaluation = new() { Interval = 5, Fraction = 0.1 },
    Reference = new ReferenceOptions { Kind = ReferenceModelKind.TrainedOnChosen, TrainingEpochs = 2 },
    Lora = options.Model is null ? null : new LoraOptions { Rank = 16, Alpha = 16 },
    Generation = new GenerationOptions { MaxNewTokens = 24 },
};

// 5. Pareto-aware selection: f* estimates, ALRIGHT and MAXRIGHT over λ, Sequential baselines, the front, a choice.
ParetoSelectEstimator sweep = null!;
ParetoSelectEstimator CreateSweep(IProgress<ParetoProgress> progress) => sweep = ml.PostTraining.ParetoSelect(trainer, new ParetoSelectOptions
{
    Strategies = [JointStrategy.AlRight, JointStrategy.MemoryEfficientMaxRight],
    Lambdas = options.Lambdas,
    SequentialDpoEpochs = SequentialSplits(options.Epochs),
    WorkingDirectory = Path.Combine(output, "sweep"),
}, progress);
AnsiConsole.MarkupLine($"[bold]XRight quick start[/]: {options.Lambdas.Length * 2} joint runs + {SequentialSplits(options.Epochs).Length} Sequential runs + 2 f* runs, {options.Epochs} epochs each.");
JointPostTrainTransformer chosen = null!;
AnsiConsole.Progress()
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
    .Start(ctx => chosen = SweepProgress.Run(ctx, CreateSweep, tokenized));

// 6. The Pareto table, the plots, and the chosen model as one pipeline zip.
var report = sweep.Report!;
ReportTable.Print(report);
var pipeline = text.Append(chosen);
var zip = Path.Combine(output, "post-trained.zip");
ml.Model.Save(pipeline, data.Schema, zip);
AnsiConsole.MarkupLine($"Plots: [blue]{Path.Combine(sweep.WorkingDirectory!, "objective-space.png")}[/], [blue]{Path.Combine(sweep.WorkingDirectory!, "metrics.png")}[/]");
AnsiConsole.MarkupLine($"Report: [blue]{Path.Combine(sweep.WorkingDirectory!, "report.md")}[/]; chosen model: [blue]{zip}[/]");

// 7. Load the zip as a user would, in a fresh MLContext, and answer a few prompts beside the best Sequential
//    run (the one nearest the ideal point), whose last SFT epochs undid what its DPO epochs taught.
var fresh = new MLContext();
var loaded = fresh.PostTraining.LoadModel(zip, out _);
var engine = fresh.Model.CreatePredictionEngine<PromptRow, CompletionRow>(loaded);
var sequential = report.Candidates.Where(c => c.Candidate.IsSequential).MinBy(c => c.IdealDistance)?.Candidate;
var sequentialEngine = sequential?.ModelPath is { } sequentialZip
    ? ml.Model.CreatePredictionEngine<PromptRow, CompletionRow>(text.Append(ml.Model.Load(sequentialZip, out _)))
    : null;
var answers = new Table().AddColumn("Prompt");
if (sequentialEngine is not null) answers.AddColumn($"best Sequential: {Markup.Escape(sequential!.Name)}");
answers.AddColumn($"chosen: {Markup.Escape(report.Chosen)}");
foreach (var prompt in QuickStartData.DemoPrompts(options))
{
    string Answer(PredictionEngine<PromptRow, CompletionRow> e) => Markup.Escape(e.Predict(new PromptRow { Prompt = prompt }).Response.Trim());
    answers.AddRow(sequentialEngine is null ? [Markup.Escape(prompt), Answer(engine)] : [Markup.Escape(prompt), Answer(sequentialEngine), Answer(engine)]);
}
AnsiConsole.Write(answers);

// 8. Over every question of the embedded task: how often each model gives the right fact in each style.
if (options.Instructions is null)
{
    var tally = new Table().AddColumns("Model", "right fact, excited (preferred)", "right fact, calm", "other");
    foreach (var (name, e) in new[] { (sequential?.Name, sequentialEngine), (report.Chosen, engine) })
    {
        if (e is null) continue;
        var questions = SyntheticStyleTask.Questions().ToList();
        var said = questions.Select(q => (q, Answer: e.Predict(new PromptRow { Prompt = q.Prompt }).Response.Trim())).ToList();
        int excited = said.Count(s => s.Answer == s.q.Excited), calm = said.Count(s => s.Answer == s.q.Calm);
        tally.AddRow(Markup.Escape(name!), $"{excited}/{questions.Count}", $"{calm}/{questions.Count}", $"{questions.Count - excited - calm}/{questions.Count}");
    }
    AnsiConsole.Write(tally);
}
return 0;

// Sequential baselines (T_DPO, T_SFT) at a quarter, half and three quarters of the epochs.
static int[] SequentialSplits(int epochs) => new[] { epochs / 4, epochs / 2, 3 * epochs / 4 }.Where(n => n >= 1 && n < epochs).Distinct().ToArray();

/// <summary>Input of the prediction engine.</summary>
internal sealed class PromptRow
{
    public string Prompt { get; set; } = "";
}

/// <summary>Output of the prediction engine.</summary>
internal sealed class CompletionRow
{
    public string Response { get; set; } = "";
}
