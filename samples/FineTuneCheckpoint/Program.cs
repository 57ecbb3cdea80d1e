using System.Globalization;
using Microsoft.ML;
using XRight;
using XRight.MLNet;
using XRight.Samples;
using XRight.Text;

// Fine-tunes a local Hugging Face model folder with joint SFT/DPO post-training (LoRA), evaluates it,
// saves it three ways (an ML.NET model zip, a merged Hugging Face folder, a PEFT adapter) and generates.
//
//   dotnet run --project samples/FineTuneCheckpoint -- --model <hf-folder> [options]
//     --tokenizer <folder>|builtin   tokenizer files (default: the model folder); builtin = the byte-level tokenizer
//     --instructions <file> --preferences <file>   .parquet/.jsonl data (default: the quick start's synthetic task)
//     --strategy alright|maxright|mix|sequential   (default: alright)   --lambda <x> (default: 0.5)
//     --epochs <n> (default: 2)   --max-length <n> (default: 256)   --out <folder> (default: finetune-output)

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
var progress = new Progress<TrainingProgress>(p =>
{
    if (p.Step % 10 == 0 || p.Step == p.TotalSteps)
        Console.WriteLine($"{p.Phase} {p.Step}/{p.TotalSteps}  SFT {p.SftLoss:F3} (token acc {p.Sft?.MeanTokenAccuracy:P0})  " +
            $"DPO {p.DpoLoss:F3} (reward acc {p.Dpo?.RewardsAccuracies:P0}, margin {p.Dpo?.RewardsMargins:F3})  {p.TokensPerSecond:F0} tok/s  ETA {p.Remaining:mm\\:ss}");
});
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
