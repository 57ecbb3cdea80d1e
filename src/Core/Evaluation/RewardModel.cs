using System.Text.Json.Nodes;
using TorchSharp.Modules;
using XRight.IO;
using XRight.Modeling;
using XRight.Modeling.HuggingFace;
using XRight.Modeling.Layers;
using XRight.Modeling.SafeTensors;
using XRight.Runtime;
using XRight.Text;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Evaluation;

/// <summary>
/// A reward model: a causal LM's trunk with a sequence-classification head, as transformers'
/// <c>GPTNeoXForSequenceClassification</c>, <c>LlamaForSequenceClassification</c> (and the Qwen2, Mistral and
/// OPT ones) define it. The head <c>score</c> is a linear layer without bias from the final hidden states to
/// one label; the reward of a sequence is its output at the last token that is not <c>pad_token_id</c>.
/// </summary>
/// <remarks>
/// Weights carry the Hugging Face names: the trunk's (<c>gpt_neox.*</c>, <c>model.*</c>, <c>model.decoder.*</c>)
/// and <c>score.weight</c> [1, hidden]. The trunk is the library's own family implementation, built without
/// a language-model head. As in transformers, the pooled position is the rightmost token whose id differs
/// from the configuration's <c>pad_token_id</c> (so left and right padding both work, and a sequence whose
/// real tokens end in the pad id is read before them); without a <c>pad_token_id</c>, the last position,
/// and a padded batch is refused.
/// </remarks>
public sealed class RewardModel : IDisposable
{
    private const string ScoreWeightName = "score.weight";

    private readonly CausalLm _trunk;
    private readonly Parameter _score;

    private RewardModel(CausalLmConfig config, CausalLm trunk, Parameter score, CausalLmTokenizer? tokenizer)
    {
        Config = config;
        _trunk = trunk;
        _score = score;
        Tokenizer = tokenizer;
        _trunk.eval();
    }

    /// <summary>The configuration (<c>config.json</c> of the sequence-classification model).</summary>
    public CausalLmConfig Config { get; }

    /// <summary>The id whose rightmost absence marks the pooled token (<c>pad_token_id</c>), or null when the configuration has none.</summary>
    public int? PadTokenId => Config.PadTokenId;

    /// <summary>The tokenizer read from the folder, or given; null when there is none (then only token ids can be scored).</summary>
    public CausalLmTokenizer? Tokenizer { get; private set; }

    /// <summary>The element type of the weights.</summary>
    public ScalarType Dtype => _score.dtype;

    /// <summary>The device the weights live on.</summary>
    public Device Device => _score.device;

    /// <summary>The transformers class this model corresponds to, e.g. <c>GPTNeoXForSequenceClassification</c>.</summary>
    public string ArchitectureName => ClassName(Config.ModelType);

    /// <summary>The trunk: the causal LM without its head (internal: tests compare against it).</summary>
    internal CausalLm Trunk => _trunk;

    /// <summary>The head's weight [1, hidden].</summary>
    internal Parameter ScoreWeight => _score;

    /// <summary>
    /// A reward model with new weights: the trunk drawn as <see cref="CausalLm.Create"/> draws it and the head
    /// from N(0, initializer_range²). The configuration becomes a sequence-classification one (one label).
    /// </summary>
    public static RewardModel Create(CausalLmConfig config, ModelOptions? options = null, CausalLmTokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new ModelOptions();
        var classifierConfig = ClassifierConfig(config);
        var trunk = CausalLm.Create(TrunkConfig(classifierConfig), options);
        using var generator = new Generator((ulong)options.Seed + 1);
        var factory = new ParameterFactory(options.Dtype.ToScalarType(), options.Device, generator, config.InitializerRange);
        return new RewardModel(classifierConfig, trunk, factory.Normal(1, config.EmbeddingSize), tokenizer);
    }

    /// <summary>
    /// Loads a Hugging Face sequence-classification folder: <c>config.json</c> (one label) and safetensors
    /// weights, strictly (missing, unexpected and mis-shaped weights are listed in one exception), plus the
    /// tokenizer when the folder has one.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder has no config.json or no safetensors weights.</exception>
    /// <exception cref="NotSupportedException">The model type is not implemented, or the head has other than one label.</exception>
    /// <exception cref="CheckpointMismatchException">The weights do not match the configuration.</exception>
    public static RewardModel FromPretrained(string folder, ModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= new ModelOptions();
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The model folder '{folder}' does not exist.");
        var configPath = Path.Combine(folder, PretrainedFolder.ConfigFileName);
        var config = CausalLmConfig.FromFile(configPath);
        int labels = LabelCount(config);
        if (labels != 1)
            throw new NotSupportedException($"{configPath}: a reward model has one label, but this configuration has {labels} (id2label / num_labels); transformers' default without them is 2.");
        if (!SafeTensorsCheckpoint.Exists(folder))
            throw new FileNotFoundException($"The model folder '{folder}' holds no safetensors weights: expected model.safetensors or model.safetensors.index.json.");

        TorchRuntime.EnsureLoaded();
        var trunk = CausalLm.CreateUninitialized(TrunkConfig(config), options);
        var score = new ParameterFactory(options.Dtype.ToScalarType(), options.Device, generator: null, config.InitializerRange).Normal(1, config.EmbeddingSize);
        try
        {
            var targets = trunk.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
            targets.Add(ScoreWeightName, score);
            WeightBinding.CheckNames(folder, targets.Keys, SafeTensorsCheckpoint.TensorNames(folder), PretrainedFolder.IsBenignExtra);
            WeightBinding.Assign(folder, targets, SafeTensorsCheckpoint.Load(folder, options.Dtype.ToScalarType(), options.Device));
            bool hasTokenizer = TokenizerLoader.ModelFileNames.Any(name => File.Exists(Path.Combine(folder, name)));
            return new RewardModel(config, trunk, score, hasTokenizer ? CausalLmTokenizer.FromPretrained(folder) : null);
        }
        catch
        {
            trunk.Dispose();
            score.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes a Hugging Face sequence-classification folder: <c>config.json</c> (with <c>torch_dtype</c>),
    /// <c>model.safetensors</c> with the trunk's weights and <c>score.weight</c>, and the tokenizer (the given
    /// one, else this model's, if any).
    /// </summary>
    public void SavePretrained(string folder, CausalLmTokenizer? tokenizer = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var weights = NamedWeights().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        if (weights.Count == 0) throw new ObjectDisposedException(nameof(RewardModel), "The reward model is disposed: it has no weights left to save.");
        foreach (var (name, weight) in weights)
            if (weight.IsInvalid) throw new ObjectDisposedException(nameof(RewardModel), $"The reward model is disposed: its weight '{name}' no longer exists.");
        AtomicFolder.Write(folder, staging =>
        {
            (tokenizer ?? Tokenizer)?.SaveTo(staging);
            SafeTensorsCheckpoint.Save(staging, weights);
            AtomicFile.WriteAllText(Path.Combine(staging, PretrainedFolder.ConfigFileName), Config.ToJsonWithDtype(DtypeNames.HuggingFaceName(Dtype)));
        }, PretrainedFolder.IsWrittenBySave);
    }

    /// <summary>Uses <paramref name="tokenizer"/> for <see cref="Score(IReadOnlyList{ValueTuple{string, string}}, PromptTemplate?, int)"/>.</summary>
    public void SetTokenizer(CausalLmTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        Tokenizer = tokenizer;
    }

    /// <summary>
    /// The rewards [B] (float32; float64 for a float64 model) of a batch, as transformers' forward pools them: at
    /// the rightmost position whose id is not <see cref="PadTokenId"/>, or at the last position when there is
    /// no pad id (then the batch must have one row, as in transformers). Inference only: no gradients are kept.
    /// </summary>
    /// <param name="inputIds">[B, T] int64 token ids, on the model's device.</param>
    /// <param name="attentionMask">[B, T]: 1 for real tokens, 0 for padding (left or right); null: no padding.</param>
    /// <exception cref="InvalidOperationException">The configuration has no pad_token_id and the batch has more than one row.</exception>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        using var scope = NewDisposeScope();
        Tensor positions;
        long rows = inputIds.shape[0], length = inputIds.shape[^1];
        if (PadTokenId is { } pad)
        {
            var notPad = inputIds.ne(pad).to(ScalarType.Int64);
            positions = (arange(length, ScalarType.Int64, inputIds.device).unsqueeze(0) * notPad).argmax(1);
        }
        else
        {
            if (rows != 1) throw new InvalidOperationException("Cannot score a batch of more than one row without a pad_token_id in the configuration (as in transformers).");
            positions = full(rows, length - 1, ScalarType.Int64, inputIds.device);
        }
        return Pool(inputIds, attentionMask, positions).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The rewards of token sequences, in order, computed <paramref name="batchSize"/> at a time (right-padded
    /// with <see cref="PadTokenId"/>; without one, only sequences of equal length share a batch).
    /// </summary>
    /// <exception cref="ArgumentException">A sequence is empty, or the batch size is not positive.</exception>
    public double[] Score(IReadOnlyList<int[]> sequences, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (batchSize <= 0) throw new ArgumentException($"The batch size must be positive, found {batchSize}.", nameof(batchSize));
        for (int i = 0; i < sequences.Count; i++)
            if (sequences[i] is not { Length: > 0 }) throw new ArgumentException($"Sequence {i} is empty.", nameof(sequences));
        var rewards = new double[sequences.Count];
        var indices = Enumerable.Range(0, sequences.Count);
        var batches = PadTokenId is null
            ? indices.GroupBy(i => sequences[i].Length).SelectMany(g => g.Chunk(batchSize))
            : indices.OrderByDescending(i => sequences[i].Length).Chunk(batchSize);
        using var noGrad = no_grad();
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            int length = batch.Max(i => sequences[i].Length);
            var ids = new long[batch.Length * length];
            var mask = new long[ids.Length];
            Array.Fill(ids, PadTokenId ?? 0);
            for (int r = 0; r < batch.Length; r++)
            {
                var sequence = sequences[batch[r]];
                for (int t = 0; t < sequence.Length; t++)
                {
                    ids[r * length + t] = sequence[t];
                    mask[r * length + t] = 1;
                }
            }
            var inputIds = tensor(ids, [batch.Length, length], ScalarType.Int64, Device);
            var values = PadTokenId is null
                ? Pool(inputIds, null, full(batch.Length, length - 1, ScalarType.Int64, Device))
                : Forward(inputIds, tensor(mask, [batch.Length, length], ScalarType.Int64, Device));
            var host = values.to(ScalarType.Float64).cpu().data<double>().ToArray();
            for (int r = 0; r < batch.Length; r++) rewards[batch[r]] = host[r];
        }
        return rewards;
    }

    /// <summary>The token ids of a prompt and response as scored: <c>template.Apply(prompt) + response</c>, encoded with the tokenizer's special tokens.</summary>
    /// <exception cref="InvalidOperationException">The model has no tokenizer.</exception>
    public int[] Encode(string prompt, string response, PromptTemplate? template = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(response);
        var tokenizer = Tokenizer ?? throw new InvalidOperationException("The reward model has no tokenizer; load a folder with tokenizer files or call SetTokenizer.");
        return tokenizer.Encode((template ?? PromptTemplate.Raw).Apply(prompt) + response, addSpecialTokens: true);
    }

    /// <summary>The rewards of prompt–response pairs, in order (see <see cref="Encode"/>; default template: the prompt as is).</summary>
    /// <exception cref="InvalidOperationException">The model has no tokenizer.</exception>
    public double[] Score(IReadOnlyList<(string Prompt, string Response)> pairs, PromptTemplate? template = null, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return Score(pairs.Select(p => Encode(p.Prompt, p.Response, template)).ToList(), batchSize);
    }

    /// <summary>The reward of one prompt and response.</summary>
    public double Score(string prompt, string response, PromptTemplate? template = null) => Score([(prompt, response)], template)[0];

    /// <summary>A hash of the configuration and weights, to key cached results.</summary>
    public string Fingerprint() => global::XRight.Evaluation.Fingerprint.Of(Config.ToJson(), NamedWeights());

    /// <summary>Frees the weights.</summary>
    public void Dispose()
    {
        _trunk.Dispose();
        _score.Dispose();
    }

    private IEnumerable<KeyValuePair<string, Tensor>> NamedWeights() =>
        _trunk.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter))
            .Append(new KeyValuePair<string, Tensor>(ScoreWeightName, _score));

    // The head at the given position of each row.
    private Tensor Pool(Tensor inputIds, Tensor? attentionMask, Tensor positions)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var hidden = _trunk.ForwardHidden(inputIds, attentionMask, cache: null);
        var rows = arange(hidden.shape[0], ScalarType.Int64, hidden.device);
        var pooled = hidden.index(new TensorIndex[] { TensorIndex.Tensor(rows), TensorIndex.Tensor(positions) });
        var rewards = F.linear(pooled, _score).squeeze(1);
        return rewards.to(Dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32).MoveToOuterDisposeScope();
    }

    // The trunk is built as a causal LM with tied embeddings, which has no output head: exactly the trunk's
    // parameters, under the family's Hugging Face names. Nothing else depends on the tie.
    private static CausalLmConfig TrunkConfig(CausalLmConfig config)
    {
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        json["tie_word_embeddings"] = true;
        return CausalLmConfig.FromJson(json.ToJsonString(), "trunk of " + ClassName(config.ModelType));
    }

    // A configuration of the sequence-classification class with one label.
    private static CausalLmConfig ClassifierConfig(CausalLmConfig config)
    {
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        json["architectures"] = new JsonArray(ClassName(config.ModelType));
        json["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
        json["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
        json.Remove("num_labels");
        return CausalLmConfig.FromJson(json.ToJsonString(), ClassName(config.ModelType));
    }

    // transformers' num_labels: the size of id2label, else num_labels, else 2.
    private static int LabelCount(CausalLmConfig config)
    {
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        if (json["id2label"] is JsonObject labels) return labels.Count;
        if (json["num_labels"] is JsonValue value && value.TryGetValue(out int count)) return count;
        return 2;
    }

    private static string ClassName(string modelType) => modelType switch
    {
        "gpt_neox" => "GPTNeoXForSequenceClassification",
        "llama" => "LlamaForSequenceClassification",
        "qwen2" => "Qwen2ForSequenceClassification",
        "mistral" => "MistralForSequenceClassification",
        "opt" => "OPTForSequenceClassification",
        _ => modelType + "ForSequenceClassification",
    };
}
