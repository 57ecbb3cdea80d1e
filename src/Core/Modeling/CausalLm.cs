using TorchSharp;
using TorchSharp.Modules;
using XRight.Modeling.HuggingFace;
using XRight.Modeling.Generation;
using XRight.Modeling.Layers;
using XRight.Modeling.Lora;
using XRight.Runtime;
using XRight.Text;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling;

/// <summary>
/// A decoder-only transformer language model (GPT-NeoX, Llama or OPT family) whose parameter names are
/// the Hugging Face names, so checkpoints map one to one. Build one with <see cref="Create"/> (new
/// weights) or <see cref="FromPretrained"/> (a local Hugging Face folder).
/// </summary>
public abstract class CausalLm : nn.Module
{
    private readonly RotaryEmbedding? _rotary;
    private readonly DecoderTrunk _trunk;
    private readonly AdaptableLinear? _head;
    private LoraAdapters? _lora;

    /// <summary>
    /// The trunk under <paramref name="trunkName"/> and, unless the embeddings are tied, an output head
    /// under <paramref name="headName"/>: the family's Hugging Face names, so parameter names match checkpoints.
    /// </summary>
    private protected CausalLm(CausalLmConfig config, string name, string trunkName, DecoderTrunk trunk, string headName, ParameterFactory factory) : base(name)
    {
        Config = config;
        _rotary = config.Rotary is { } rotary ? new RotaryEmbedding(rotary) : null;
        _trunk = trunk;
        _trunk.HasDropout = config.HiddenDropout > 0 || config.AttentionDropout > 0;
        _head = config.TieWordEmbeddings ? null : new AdaptableLinear(config.EmbeddingSize, config.VocabSize, hasBias: false, factory);
        OutputHeadName = headName;
        TrunkName = trunkName;
        register_module(trunkName, _trunk);
        if (_head is not null) register_module(headName, _head);
    }

    /// <summary>The configuration the model was built from.</summary>
    public CausalLmConfig Config { get; }

    /// <summary>The element type of the weights.</summary>
    public ScalarType Dtype => Embedding.Weight.dtype;

    /// <summary>The device the weights live on.</summary>
    public Device Device => Embedding.Weight.device;

    /// <summary>The LoRA options in effect, or null when the model has no adapters.</summary>
    public LoraOptions? Lora => _lora?.Options;

    /// <summary>True while the LoRA updates are folded into the base weights (see <see cref="MergeLora"/>).</summary>
    public bool IsLoraMerged => _lora?.IsMerged ?? false;

    /// <summary>
    /// Gradient checkpointing per decoder layer: while a graph is recorded (training, outside
    /// <c>no_grad</c>) and no KV cache is used, each layer keeps only its input and its activations are
    /// recomputed in the backward pass, so activation memory grows with one layer instead of all of them,
    /// for one more forward pass of the layers less the output projections whose values the backward pass
    /// does not read (see <see cref="GradientOnlyLinear"/>). Gradients are unchanged (the recomputation replays
    /// dropout with the same random state; with dropout it is implemented on the CPU only). Inference and
    /// generation are not affected. Default: false.
    /// </summary>
    public bool GradientCheckpointing
    {
        get => _trunk.GradientCheckpointing;
        set => _trunk.GradientCheckpointing = value;
    }

    /// <summary>The name of the output head module (<c>embed_out</c> or <c>lm_head</c>), whether or not it is tied to the embedding.</summary>
    internal string OutputHeadName { get; }

    /// <summary>The name of the module under the head (<c>gpt_neox</c> or <c>model</c>): Hugging Face's <c>base_model_prefix</c>.</summary>
    internal string TrunkName { get; }

    private TokenEmbedding Embedding => _trunk.Embedding;

    /// <summary>The folder <see cref="FromPretrained"/> read, recorded in saved adapter configurations.</summary>
    internal string? SourceFolder { get; set; }

    /// <summary>The source folder's <c>generation_config.json</c>, written back unchanged by <see cref="SavePretrained"/>.</summary>
    internal string? GenerationConfigJson { get; set; }

    /// <summary>
    /// A model with new weights drawn as Hugging Face initialises them (normal(0, initializer_range)
    /// weights, zero biases, unit norms), reproducibly from <see cref="ModelOptions.Seed"/>. The
    /// model starts in training mode.
    /// </summary>
    public static CausalLm Create(CausalLmConfig config, ModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new ModelOptions();
        TorchRuntime.EnsureLoaded();
        using var generator = new Generator((ulong)options.Seed);
        return Build(config, new ParameterFactory(options.Dtype.ToScalarType(), options.Device, generator, config.InitializerRange));
    }

    /// <summary>
    /// Loads a local Hugging Face folder: <c>config.json</c> and safetensors weights (<c>model.safetensors</c>
    /// or shards with <c>model.safetensors.index.json</c>; F32, F16 or BF16, converted to
    /// <see cref="ModelOptions.Dtype"/>). Loading is strict: missing, unexpected and wrongly shaped
    /// weights are listed in one <see cref="CheckpointMismatchException"/>; only buffers that older
    /// checkpoints carry and this implementation recomputes (rotary <c>inv_freq</c>, GPT-NeoX
    /// <c>attention.bias</c>/<c>masked_bias</c>) and a redundant output head of tied models are ignored.
    /// Weights saved from the bare trunk, without its prefix (<c>decoder.…</c> for <c>model.decoder.…</c>, as
    /// some OPT checkpoints are published), are read under the prefix, as transformers reads them.
    /// The model starts in evaluation mode, as in transformers.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder has no config.json or no safetensors weights.</exception>
    /// <exception cref="InvalidDataException">config.json is invalid.</exception>
    /// <exception cref="CheckpointMismatchException">The weights do not match the configuration.</exception>
    /// <exception cref="SafeTensors.SafeTensorsFormatException">A weights file is malformed.</exception>
    /// <exception cref="NotSupportedException">The model type or a feature of it is not implemented, or the weights are pickle files.</exception>
    public static CausalLm FromPretrained(string folder, ModelOptions? options = null)
    {
        var model = PretrainedFolder.Load(folder, options ?? new ModelOptions());
        model.SourceFolder = folder;
        return model;
    }

    /// <summary>
    /// Writes a Hugging Face folder that transformers can load: <c>config.json</c> (with <c>torch_dtype</c>
    /// set to <see cref="Dtype"/>), <c>generation_config.json</c> and the weights as
    /// <c>model.safetensors</c>, or as shards of at most <paramref name="maxShardBytes"/> with an index.
    /// A model with LoRA adapters is saved with the updates merged into the base weights and no adapter
    /// tensors (the model itself is not changed); use <see cref="SaveLoraAdapter"/> to save the adapters alone.
    /// </summary>
    /// <param name="folder">The folder; created when missing.</param>
    /// <param name="tokenizer">A tokenizer to write beside the weights (its files are written first), or null.</param>
    /// <param name="maxShardBytes">The most tensor bytes per weights file.</param>
    /// <exception cref="ArgumentException">The tokenizer has more ids than the model's vocabulary.</exception>
    public void SavePretrained(string folder, CausalLmTokenizer? tokenizer = null, long maxShardBytes = 2L << 30)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (tokenizer is not null)
        {
            if (tokenizer.VocabSize > Config.VocabSize)
                throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} ids but the model's vocab_size is {Config.VocabSize}; its ids would not fit the embedding.", nameof(tokenizer));
        }
        PretrainedFolder.Save(this, folder, maxShardBytes, mergeLora: true, tokenizer is null ? null : tokenizer.SaveTo);
    }

    /// <summary>
    /// Writes the folder with the base weights only: LoRA updates are NOT merged and adapter tensors
    /// are left out, so the folder plus <see cref="SaveLoraAdapter"/> restores this model exactly.
    /// </summary>
    internal void SaveBasePretrained(string folder)
    {
        if (IsLoraMerged) throw new InvalidOperationException("The base weights cannot be saved while LoRA is merged into them; call UnmergeLora() first.");
        PretrainedFolder.Save(this, folder, 2L << 30, mergeLora: false);
    }

    /// <summary>How error messages name this model: its type and the folder it was loaded from, if any.</summary>
    internal string Describe() => SourceFolder is null ? $"{GetType().Name} ({Config.ModelType})" : $"{GetType().Name} loaded from '{SourceFolder}'";

    /// <summary>Throws when the model's weights have been disposed, before anything is written.</summary>
    /// <exception cref="ObjectDisposedException">The model (or one of its weights) is disposed.</exception>
    internal void ThrowIfDisposed()
    {
        var parameters = named_parameters().ToList();
        if (parameters.Count == 0)
            throw new ObjectDisposedException(Describe(), $"{Describe()} is disposed: it has no weights left to save.");
        foreach (var (name, parameter) in parameters)
            if (parameter.IsInvalid)
                throw new ObjectDisposedException(Describe(), $"{Describe()} is disposed: its weight '{name}' no longer exists.");
    }

    /// <summary>A model with uninitialised weights, about to be overwritten from a checkpoint.</summary>
    internal static CausalLm CreateUninitialized(CausalLmConfig config, ModelOptions options)
    {
        TorchRuntime.EnsureLoaded();
        return Build(config, new ParameterFactory(options.Dtype.ToScalarType(), options.Device, generator: null, config.InitializerRange));
    }

    private static CausalLm Build(CausalLmConfig config, ParameterFactory factory) => config.Family.Build(config, factory);

    /// <summary>
    /// Next-token logits [B, T, vocab] in the model's element type for <paramref name="inputIds"/> [B, T] (int64).
    /// </summary>
    /// <param name="inputIds">Token ids, on the model's device.</param>
    /// <param name="attentionMask">
    /// [B, cached + T]: 1 for real tokens, 0 for padding (left or right). Positions count real tokens
    /// only, so a left-padded row gives the same logits as the unpadded row. Null: no padding.
    /// </param>
    /// <param name="cache">Keys and values of earlier positions; the new ones are appended to it.</param>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        return ComputeLogits(ForwardHidden(inputIds, attentionMask, cache)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Continues each prompt: greedy, or sampled with temperature and top-p from seeded generators,
    /// until a stop token, a stop string or <see cref="GenerationOptions.MaxNewTokens"/>. Prompts of
    /// different lengths are left-padded into one batch that decodes through a KV cache. Dropout is
    /// off while generating (the model is put in evaluation mode and restored afterwards).
    /// </summary>
    /// <param name="prompts">Token ids of each prompt (at least one token each).</param>
    /// <param name="options">Generation settings; null for greedy decoding of up to 128 tokens.</param>
    /// <param name="decode">Turns token ids into text; required when <see cref="GenerationOptions.StopStrings"/> is set.</param>
    /// <returns>Per prompt, the new token ids (without the stop token or stop string) and why generation ended.</returns>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, GenerationOptions? options = null, Func<IReadOnlyList<int>, string>? decode = null)
    {
        options ??= new GenerationOptions();
        return RunGeneration(prompts, options, decode, options.StopTokenIds ?? Config.EosTokenIds);
    }

    /// <summary>
    /// <see cref="Generate(IReadOnlyList{int[]}, GenerationOptions?, Func{IReadOnlyList{int}, string}?)"/>
    /// with <paramref name="tokenizer"/> decoding for stop strings (special tokens included, so a chat
    /// marker can be a stop string); by default the tokenizer's EOS stops generation as well as the model's.
    /// </summary>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, GenerationOptions? options, CausalLmTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new GenerationOptions();
        var stopTokens = options.StopTokenIds ?? [.. Config.EosTokenIds.Append(tokenizer.EosTokenId).Distinct()];
        return RunGeneration(prompts, options, ids => tokenizer.Decode(ids, skipSpecialTokens: false), stopTokens);
    }

    private IReadOnlyList<GeneratedSequence> RunGeneration(IReadOnlyList<int[]> prompts, GenerationOptions options, Func<IReadOnlyList<int>, string>? decode, IReadOnlyList<int> stopTokens)
    {
        var loop = new GenerationLoop(this, options, decode, stopTokens);
        bool wasTraining = training;
        eval();
        try
        {
            return loop.Run(prompts);
        }
        finally
        {
            if (wasTraining) train();
        }
    }

    /// <summary>The final hidden states [B, T, <see cref="CausalLmConfig.EmbeddingSize"/>], before the output head.</summary>
    internal Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask, KvCache? cache)
    {
        ValidateInput(inputIds);
        using (NewDisposeScope())
        {
            long min = inputIds.min().item<long>(), max = inputIds.max().item<long>();
            RequireTokenIds(min, max);
        }
        cache?.EnsureConsistent(Config.NumHiddenLayers, inputIds.shape[0]);
        return Trunk(inputIds, attentionMask, cache);
    }

    /// <summary>
    /// The final hidden states of a right-padded batch. Padding only ever follows a row's real tokens, so
    /// plain causal attention gives every real position exactly what the padding mask would (padding
    /// positions get outputs that nobody reads): no mask is built, SDPA runs its fused causal kernel with
    /// memory linear in the length, and the ids are checked on the host, so nothing is read from the device.
    /// </summary>
    internal Tensor ForwardHiddenRightPadded(CausalLmBatch batch)
    {
        ValidateInput(batch.InputIds);
        RequireTokenIds(batch.Plan.MinTokenId, batch.Plan.MaxTokenId);
        return Trunk(batch.InputIds, attentionMask: null, cache: null);
    }

    /// <summary>The final hidden states of a packed batch (<see cref="CausalLmBatch.CollatePacked"/>): attention within each row, positions per row.</summary>
    internal Tensor ForwardHiddenPacked(CausalLmBatch batch)
    {
        ValidateInput(batch.InputIds);
        RequireTokenIds(batch.Plan.MinTokenId, batch.Plan.MaxTokenId);
        using var scope = NewDisposeScope();
        var ctx = ForwardContext.CreatePacked(batch.InputIds, batch.Positions!, batch.Segments!, _rotary, Dtype, Config.SlidingWindow);
        return _trunk.Forward(batch.InputIds, ctx).MoveToOuterDisposeScope();
    }

    private Tensor Trunk(Tensor inputIds, Tensor? attentionMask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var ctx = ForwardContext.Create(inputIds, attentionMask, cache, _rotary, Dtype, Config.SlidingWindow);
        return _trunk.Forward(inputIds, ctx).MoveToOuterDisposeScope();
    }

    /// <summary>Logits [..., vocab] for hidden states [..., hidden].</summary>
    internal Tensor ComputeLogits(Tensor hidden) => _head?.Forward(hidden) ?? F.linear(hidden, Embedding.Weight);

    /// <summary>
    /// The output head's weight [vocab, embedding] when the head is that matrix alone (tied to the embedding, or
    /// an untied head with no bias and no active adapter); null when the head adds anything to the product.
    /// </summary>
    internal Tensor? PlainHeadWeight => _head is null ? Embedding.Weight : _head.Bias is null && !_head.AdapterActive ? _head.Weight : null;

    /// <summary>
    /// For final hidden states [N, hidden] and the ids they predict [N]: log π(target) in float32 (float64 for a
    /// float64 model), differentiable when a graph is recorded, and [N] int64 1 where the target is the largest
    /// logit. A head that does not train (LoRA, or no graph recorded) goes through
    /// <see cref="FrozenHeadLogProbs"/> and keeps no [N, vocab] logits; a training head through the logits.
    /// </summary>
    internal (Tensor LogProbs, Tensor Correct) ScoreTargets(Tensor hidden, Tensor targets)
    {
        var scoreType = Dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        if (PlainHeadWeight is { } head && !(head.requires_grad && is_grad_enabled()))
            return FrozenHeadLogProbs.Compute(hidden, head, targets, scoreType);
        using var scope = NewDisposeScope();
        var logits = ComputeLogits(hidden).to(scoreType);
        var logProbs = logits.gather(1, targets.unsqueeze(1)).squeeze(1) - logits.logsumexp(1);
        var correct = logits.argmax(1).eq(targets).to(ScalarType.Int64);
        return (logProbs.MoveToOuterDisposeScope(), correct.MoveToOuterDisposeScope());
    }

    private void ValidateInput(Tensor inputIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dtype != ScalarType.Int64 || inputIds.ndim != 2 || inputIds.shape[1] == 0)
            throw new ArgumentException($"Input ids must be a non-empty int64 tensor [batch, length], found {inputIds.dtype} [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        if (inputIds.device_type != Device.type || (Device.type != DeviceType.CPU && inputIds.device_index != Device.index))
            throw new ArgumentException($"Input ids are on {inputIds.device} but the model is on {Device}.", nameof(inputIds));
    }

    private void RequireTokenIds(long min, long max)
    {
        if (min < 0 || max >= Config.VocabSize)
            throw new ArgumentOutOfRangeException("inputIds", $"Token ids must be in [0, {Config.VocabSize}), found {(min < 0 ? min : max)}.");
    }

    /// <summary>
    /// Adds LoRA adapters to the targeted linear layers and freezes every other parameter, so that
    /// only the adapters train. B starts at zero: the model's outputs are unchanged until it trains.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid or a target matches no layer.</exception>
    /// <exception cref="InvalidOperationException">The model already has adapters.</exception>
    public void ApplyLora(LoraOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_lora is not null) throw new InvalidOperationException("The model already has LoRA adapters.");
        _lora = LoraAdapters.Attach(options, Config, LinearLayers(), OutputHeadName);
        if (options.Dropout > 0) _trunk.HasDropout = true;
        var adapterParameters = _lora.Layers.SelectMany(l => new[] { l.Layer.LoraA.Handle, l.Layer.LoraB.Handle }).ToHashSet();
        foreach (var p in parameters())
            if (!adapterParameters.Contains(p.Handle)) p.requires_grad = false;
    }

    /// <summary>Folds (α/r)·B·A into each adapted weight, so inference costs what the base model costs.</summary>
    /// <exception cref="InvalidOperationException">The model has no adapters, or they are disabled.</exception>
    public void MergeLora() => RequireLora().Merge();

    /// <summary>Undoes <see cref="MergeLora"/>, restoring the base weights up to rounding (float32: ~1e-7 relative; coarser in bfloat16).</summary>
    /// <exception cref="InvalidOperationException">The model has no adapters.</exception>
    public void UnmergeLora() => RequireLora().Unmerge();

    /// <summary>
    /// Switches the adapters off until the returned scope is disposed, so the same weights serve as
    /// the frozen base (reference) model: <c>using (model.DisableLora()) { ... }</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no adapters, or they are merged.</exception>
    public IDisposable DisableLora() => RequireLora().Disable();

    /// <summary>The parameters an optimizer should update: the adapters when LoRA is on, else every parameter.</summary>
    public IReadOnlyList<Parameter> TrainableParameters() => parameters().Where(p => p.requires_grad).ToList();

    /// <summary>
    /// Saves the LoRA adapters in the PEFT layout (<c>adapter_config.json</c>, <c>adapter_model.safetensors</c>),
    /// loadable with <c>PeftModel.from_pretrained</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no adapters, or they are merged.</exception>
    public void SaveLoraAdapter(string folder)
    {
        var adapters = RequireLora();
        if (adapters.IsMerged) throw new InvalidOperationException("Save LoRA adapters while they are not merged; call UnmergeLora() first.");
        PeftAdapterFolder.Save(this, adapters, folder);
    }

    /// <summary>
    /// Loads a PEFT LoRA adapter folder. A model without adapters gets them as the adapter's
    /// <c>adapter_config.json</c> describes; a model that has adapters must have the same rank, α and
    /// adapted layers, and their weights are replaced.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder lacks adapter_config.json or adapter_model.safetensors.</exception>
    /// <exception cref="InvalidDataException">adapter_config.json is invalid.</exception>
    /// <exception cref="CheckpointMismatchException">The adapter weights do not match the configuration or the model.</exception>
    /// <exception cref="NotSupportedException">The adapter uses a PEFT feature this library does not implement.</exception>
    /// <exception cref="InvalidOperationException">The model's adapters differ from the folder's, or are merged.</exception>
    public void LoadLoraAdapter(string folder)
    {
        var options = PeftAdapterFolder.ReadOptions(folder);
        if (_lora is null)
        {
            ApplyLora(options);
        }
        else
        {
            if (_lora.IsMerged) throw new InvalidOperationException("Load LoRA adapters while they are not merged; call UnmergeLora() first.");
            var current = _lora.Options;
            bool sameShape = current.Rank == options.Rank && current.Alpha == options.Alpha && current.UseRsLora == options.UseRsLora;
            if (!sameShape)
                throw new InvalidOperationException($"The model's LoRA adapters (r = {current.Rank}, α = {current.Alpha}) differ from those in '{folder}' (r = {options.Rank}, α = {options.Alpha}).");
        }
        PeftAdapterFolder.LoadWeights(_lora!, folder);
    }

    /// <summary>Every linear layer with its full module name.</summary>
    internal IReadOnlyList<(string Name, AdaptableLinear Layer)> LinearLayers() =>
        named_modules().Where(m => m.module is AdaptableLinear).Select(m => (m.name, (AdaptableLinear)m.module)).ToList();

    private LoraAdapters RequireLora() =>
        _lora ?? throw new InvalidOperationException("The model has no LoRA adapters; call ApplyLora first.");
}
