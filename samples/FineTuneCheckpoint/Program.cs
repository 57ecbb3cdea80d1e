using System.Globalization;
using Microsoft.ML;
using XRight;
using XRight.Evaluation;
using XRight.MLNet;
using XRight.Samples;
using XRight.Text;
using XRight.Training.Logging;

// Fine-tunes a local Hugging Face model folder with joint SFT/DPO post-training (LoRA), logs it for
// TensorBoard (with completion samples at each evaluation), evaluates it on the held-out objectives and on
// MMLU, HellaSwag and XSTest (when their data is found), saves it three ways (an ML.NET model zip, a merged
// Hugging Face folder, a PEFT adapter) and generates.
//
//   dotnet run --project samples/FineTuneCheckpoint -- --model <hf-folder> [options]
//     --tokenizer <folder>|builtin   tokenizer files (default: the model folder); builtin = the byte-level tokenizer
//     --instructions <file> --preferences <file>   .parquet/.jsonl data (default: the quick start's synthetic task)
//     --strategy alright|maxright|mix|sequential   (default: alright)   --lambda <x> (default: 0.5)
//     --epochs <n> (default: 2)   --max-length <n> (default: 256)   --out <folder> (default: finetune-output)
//     --eval-data <folder>   MMLU/HellaSwag/XSTest files (default: shared/data/eval beside the repository; skipped when absent)
//     --eval-rows <n>        questions per benchmark, spread over the file (default: 50; 0 = all)
//   TensorBoard: tensorboard --logdir <out>/tensorboard

var arguments = Arguments.Parse(args);
if (arguments.Get("model") is not { } modelFolder)
{
    Console.Error.WriteLine("usage: dotnet run --project samples/FineTuneCheckpoint -- --model <hugging-face-folder> [--tokenizer <folder>|builtin] [--instructions <file> --preferences <file>] [--strategy alright|maxright|mix|sequential] [--lambda 0.5] [--epochs 2] [--out finetune-output]");
    return 2;
}
var output = Path.GetFullPath(arguments.Get("out") ?? "finetune-output");
Directory.CreateDirectory(output);
var ml = new MLContext(seed: 7);

var tokenizerSource = arguments.Get("tokenizer") ?? modelFolder;
var tokenizer = tokenizerSource == "builtin" ? CausalLmTokenizer.CreateByteLevel() : CausalLmTokenizer.FromPretrained(tokenizerSource);

IDataView instructions, preferences;
if (arguments.Get("instructions") is { } sftFile && arguments.Get("preferences") is { } dpoFile)
{
    instructions = SampleData.Read(ml, sftFile, ["Prompt", "Response"]);
    preferences = SampleData.Read(ml, dpoFile, ["Prompt", "Chosen", "Rejected"]);
}
else
{
    var (sft, dpo) = SyntheticStyleTask.Generate();
    (instructions, preferences) = (ml.Data.LoadFromEnumerable(sft), ml.Data.LoadFromEnumerable(dpo));
}
var data = ml.PostTraining.CombineData(instructions, preferences);

var strategy = (arguments.Get("strategy") ?? "alright").ToLowerInvariant() switch
{
    "alright" => JointStrategy.AlRight,
    "maxright" => JointStrategy.MemoryEfficientMaxRight,
    "mix" => JointStrategy.Mix,
    "sequential" => JointStrategy.Sequential,
    var other => throw new ArgumentException($"--strategy: unknown strategy '{other}'."),
};
int epochs = int.Parse(arguments.Get("epochs") ?? "2", CultureInfo.InvariantCulture);
var progress = new ConsoleProgress();
var tensorBoard = Path.Combine(output, "tensorboard");
var options = new JointPostTrainOptions
{
    BaseModel = modelFolder,
    Tokenizer = tokenizer,
    Lora = new LoraOptions { Rank = 16, Alpha = 16 },
    Reference = new ReferenceOptions { Kind = ReferenceModelKind.InitialModel },
    Generation = new GenerationOptions { MaxNewTokens = 48 },
    Strategy = new()
    {
        Kind = strategy, Lambda = double.Parse(arguments.Get("lambda") ?? "0.5", CultureInfo.InvariantCulture),
        Epochs = epochs, SequentialDpoEpochs = Math.Max(1, epochs / 2), SequentialSftEpochs = Math.Max(1, epochs - epochs / 2),
    },
    Optimizer = new() { LearningRate = 2e-4 },
    Batches = new() { SftBatchSize = 4, DpoBatchSize = 2 },
    Evaluation = new() { Interval = 20 },
    // TensorBoard event files under <out>/tensorboard, and two held-out prompts answered at each evaluation.
    Logging = new LoggingOptions { TensorBoardDirectory = tensorBoard, CompletionSamples = 2, SampleGeneration = new GenerationOptions { MaxNewTokens = 32 } },
};

int maxLength = int.Parse(arguments.Get("max-length") ?? "256", CultureInfo.InvariantCulture);
var pipeline = ml.Transforms.Text.FormatPrompt()
    .Append(ml.Transforms.Text.TokenizeForCausalLm(tokenizer, maxLength))
    .Append(ml.PostTraining.JointPostTrain(options, progress));
var model = pipeline.Fit(data);
var trained = model.LastTransformer;
Console.WriteLine($"{trained.Summary.Strategy}: {trained.Summary.Steps} steps in {trained.Summary.RuntimeSeconds:F1} s");
Console.WriteLine($"  instruction rows: {trained.Summary.InstructionData}");
Console.WriteLine($"  preference rows:  {trained.Summary.PreferenceData}");
var metrics = ml.PostTraining.Evaluate(model, data);
Console.WriteLine($"f_SFT {metrics.FSft:F4}  f_DPO {metrics.FDpo:F4}  reward accuracy {metrics.RewardAccuracy:P1}  margin {metrics.RewardMargin:F3}");

// The downstream benchmarks, on a spread subset of each file; their results join the TensorBoard run at the last step.
var evalData = arguments.Get("eval-data") ?? SharedEvaluationData();
int evalRows = int.Parse(arguments.Get("eval-rows") ?? "50", CultureInfo.InvariantCulture);
if (evalData is null || !File.Exists(Path.Combine(evalData, "mmlu_test.jsonl")))
{
    Console.WriteLine($"Skipping MMLU, HellaSwag and XSTest: no evaluation data ({evalData ?? "no shared/data/eval beside the repository"}); pass --eval-data <folder> with mmlu_dev.jsonl, mmlu_test.jsonl, hellaswag_val.jsonl and xstest.jsonl.");
}
else
{
    var log = new TensorBoardLog(Path.Combine(tensorBoard, "training"));
    var benchmarks = new (string Name, Func<BenchmarkResult> Run)[]
    {
        (MmluBenchmark.Name, () => new MmluBenchmark(EvaluationData.ReadMmlu(Path.Combine(evalData, "mmlu_dev.jsonl")),
            Spread(EvaluationData.ReadMmlu(Path.Combine(evalData, "mmlu_test.jsonl")), evalRows)).Evaluate(trained.Policy, tokenizer)),
        (HellaSwagBenchmark.Name, () => new HellaSwagBenchmark(Spread(EvaluationData.ReadHellaSwag(Path.Combine(evalData, "hellaswag_val.jsonl")), evalRows))
            .Evaluate(trained.Policy, tokenizer)),
        (XsTestBenchmark.Name, () => new XsTestBenchmark(Spread(EvaluationData.ReadXsTest(Path.Combine(evalData, "xstest.jsonl")), evalRows),
            new XsTestOptions { Completion = new CompletionOptions { Generation = new GenerationOptions { MaxNewTokens = 64 } } }).Evaluate(trained.Policy, tokenizer)),
    };
    foreach (var (name, run) in benchmarks)
    {
        var result = run();
        log.AddBenchmark(result, trained.Summary.Steps);
        Console.WriteLine($"{name}: " + string.Join("  ", result.Metrics.Where(m => !m.Key.Contains('/')).Select(m => $"{m.Key} {m.Value:F3}")) +
            $"  ({string.Join(", ", result.Counts.Select(c => $"{c.Key} {c.Value}"))})");
    }
}
Console.WriteLine($"TensorBoard log: tensorboard --logdir {tensorBoard}");

var zip = Path.Combine(output, "post-trained.zip");
ml.Model.Save(model, data.Schema, zip);
trained.Policy.SavePretrained(Path.Combine(output, "merged"), tokenizer);   // Hugging Face folder, LoRA merged in
trained.Policy.SaveLoraAdapter(Path.Combine(output, "adapter"));           // PEFT adapter over the base
trained.Summary.Trajectory.ToList().ForEach(p => Console.WriteLine($"  step {p.Step,5}: f_DPO {p.FDpo:F4}  f_SFT {p.FSft:F4}"));
Console.WriteLine($"Saved {zip}, {Path.Combine(output, "merged")} and {Path.Combine(output, "adapter")}.");

var engine = new MLContext().PostTraining.LoadModel(zip, out _) is var loaded
    ? ml.Model.CreatePredictionEngine<PromptRow, CompletionRow>(loaded) : null!;
foreach (var prompt in new[] { "What is the color of a banana?", "Give one tip for staying healthy." })
    Console.WriteLine($"> {prompt}\n{engine.Predict(new PromptRow { Prompt = prompt }).Response.Trim()}\n");
return 0;

// Every k-th item, so that a subset keeps the file's mix of subjects and labels; 0 keeps all.
static IReadOnlyList<T> Spread<T>(IReadOnlyList<T> items, int count)
    => count <= 0 || count >= items.Count ? items : [.. Enumerable.Range(0, count).Select(i => items[(int)((long)i * items.Count / count)])];

// shared/data/eval beside the repository (the folder holding XRight.sln), found upwards from the app.
static string? SharedEvaluationData()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "XRight.sln")))
            return dir.Parent is { } parent && Directory.Exists(Path.Combine(parent.FullName, "shared", "data", "eval")) ? Path.Combine(parent.FullName, "shared", "data", "eval") : null;
    return null;
}

/// <summary>Training progress every 10 steps, and the held-out values and completion samples of each evaluation.</summary>
internal sealed class ConsoleProgress : IProgress<TrainingProgress>, IProgress<TrainingEvaluation>
{
    public void Report(TrainingProgress p)
    {
        if (p.Step % 10 == 0 || p.Step == p.TotalSteps)
            Console.WriteLine($"{p.Phase} {p.Step}/{p.TotalSteps}  SFT {p.SftLoss:F3} (token acc {p.Sft?.MeanTokenAccuracy:P0})  " +
                $"DPO {p.DpoLoss:F3} (reward acc {p.Dpo?.RewardsAccuracies:P0}, margin {p.Dpo?.RewardsMargins:F3})  {p.TokensPerSecond:F0} tok/s  ETA {p.Remaining:mm\\:ss}");
    }

    public void Report(TrainingEvaluation e)
    {
        Console.WriteLine($"{e.Phase} step {e.Step}: held-out f_SFT {e.HeldOut.FSft:F4}  f_DPO {e.HeldOut.FDpo:F4}");
        foreach (var sample in e.Samples) Console.WriteLine($"  sample {sample.Index}: {sample}");
    }
}

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

/// <summary>--name value pairs.</summary>
internal sealed class Arguments(Dictionary<string, string> values)
{
    public string? Get(string name) => values.GetValueOrDefault(name);

    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Expected --option, got '{args[i]}'.");
            values[args[i][2..]] = args[i + 1];
        }
        return new Arguments(values);
    }
}
