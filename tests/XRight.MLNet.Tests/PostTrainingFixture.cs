using Microsoft.ML;
using XRight.Modeling;
using XRight.Modeling.Generation;
using XRight.Modeling.Lora;
using XRight.MLNet;
using XRight.Text;
using XRight.Training;

namespace XRight.Tests.MLNet;

/// <summary>Small text data and options for tests of the ML.NET post-training stage (byte-level tokenizer, tiny GPT-NeoX).</summary>
internal static class PostTrainingFixture
{
    public sealed record Instruction(string Prompt, string Response);
    public sealed record Preference(string Prompt, string Chosen, string Rejected);

    public static readonly string[] Colors = ["red", "blue", "green", "black", "white", "pink"];

    public static Instruction[] Instructions(int count = 30) => Enumerable.Range(0, count)
        .Select(i => new Instruction($"Color {i % 6}?", $"{Colors[i % 6]}.")).ToArray();

    public static Preference[] Preferences(int count = 20) => Enumerable.Range(0, count)
        .Select(i => new Preference($"Greet {i % 5}", "Hello!", "go away")).ToArray();

    public static IDataView Combined(MLContext ml, int instructions = 30, int preferences = 20)
        => ml.PostTraining.CombineData(ml.Data.LoadFromEnumerable(Instructions(instructions)), ml.Data.LoadFromEnumerable(Preferences(preferences)));

    public static IEstimator<ITransformer> TextPipeline(MLContext ml, int maxLength = 48)
        => ml.Transforms.Text.FormatPrompt().Append(ml.Transforms.Text.TokenizeForCausalLm(CausalLmTokenizer.CreateByteLevel(), maxLength));

    public static JointPostTrainOptions Options(JointStrategy strategy = JointStrategy.AlRight) => new()
    {
        BaseModelConfig = CausalLmConfig.CreateGptNeoX(vocabSize: 258, hiddenSize: 32, numLayers: 1, numHeads: 2, eosTokenId: 256),
        Tokenizer = CausalLmTokenizer.CreateByteLevel(),
        Lora = new LoraOptions { Rank = 4, Alpha = 8, TargetModules = ["query_key_value", "dense_h_to_4h"] },
        Reference = new ReferenceOptions { Kind = ReferenceModelKind.InitialModel },
        Generation = new GenerationOptions { MaxNewTokens = 8 },
        Strategy = new() { Kind = strategy, Lambda = 0.5, Epochs = 2 },
        Optimizer = new() { LearningRate = 5e-3 },
        Batches = new() { SftBatchSize = 8, DpoBatchSize = 4 },
        Evaluation = new() { Interval = 5, Fraction = 0.2 },
        Runtime = new() { Device = "cpu", Seed = 7 },
    };
}
