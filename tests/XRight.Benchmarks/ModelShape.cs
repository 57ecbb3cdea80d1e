using XRight.Modeling;

namespace XRight.Benchmarks;

/// <summary>
/// A named model shape of the benchmark and its FLOP accounting. Vocabularies are kept small (8192) so
/// that the parameter count is mostly transformer body, which is what the sizes are meant to compare.
/// </summary>
internal sealed record ModelShape(string Name, CausalLmArchitecture Architecture, int Vocab, int Hidden, int Layers, int Heads, int Intermediate)
{
    private static readonly ModelShape[] Known =
    [
        new("1m", CausalLmArchitecture.GptNeoX, 2048, 128, 2, 2, 512),
        new("10m", CausalLmArchitecture.GptNeoX, 8192, 256, 8, 4, 1024),
        new("50m", CausalLmArchitecture.GptNeoX, 8192, 512, 12, 8, 2048),
        new("150m", CausalLmArchitecture.GptNeoX, 8192, 1024, 10, 16, 4096),
        new("1m", CausalLmArchitecture.Llama, 2048, 128, 2, 2, 352),
        new("10m", CausalLmArchitecture.Llama, 8192, 256, 8, 4, 704),
        new("50m", CausalLmArchitecture.Llama, 8192, 512, 12, 8, 1408),
        new("150m", CausalLmArchitecture.Llama, 8192, 1024, 10, 16, 2816),
        // The smallest model the trainer runs: what the process holds besides a model (the runtime overhead).
        new("tiny", CausalLmArchitecture.GptNeoX, 128, 32, 2, 4, 128),
        // Pythia-1b's shape (its real vocabulary, untied head, rotary on a quarter of each head, parallel residual).
        new("pythia-1b", CausalLmArchitecture.GptNeoX, 50304, 2048, 16, 8, 8192),
    ];

    /// <summary>The shape called <paramref name="name"/> (1m, 10m, 50m, 150m) for <paramref name="architecture"/>.</summary>
    public static ModelShape Get(string name, CausalLmArchitecture architecture) =>
        Known.FirstOrDefault(s => s.Name == name && s.Architecture == architecture)
        ?? throw new ArgumentException($"Unknown model size '{name}'; known sizes: {string.Join(", ", Known.Select(s => s.Name).Distinct())}.");

    public string Label => Name.Contains('-') ? Name : $"{(Architecture == CausalLmArchitecture.GptNeoX ? "neox" : "llama")}-{Name}";

    public CausalLmConfig Config(int maxPositions) => Architecture == CausalLmArchitecture.GptNeoX
        ? CausalLmConfig.CreateGptNeoX(vocabSize: Vocab, hiddenSize: Hidden, numLayers: Layers, numHeads: Heads, intermediateSize: Intermediate,
            maxPositionEmbeddings: maxPositions, eosTokenId: 2)
        : CausalLmConfig.CreateLlama(vocabSize: Vocab, hiddenSize: Hidden, numLayers: Layers, numHeads: Heads, intermediateSize: Intermediate,
            maxPositionEmbeddings: maxPositions, eosTokenId: 2);

    /// <summary>Weights every token multiplies with: the attention and MLP projections of all layers.</summary>
    public long BodyMatmulParameters
    {
        get
        {
            long h = Hidden, i = Intermediate;
            long perLayer = Architecture == CausalLmArchitecture.GptNeoX ? 4 * h * h + 2 * h * i : 4 * h * h + 3 * h * i;
            return perLayer * Layers;
        }
    }

    /// <summary>Weights of the output head, used only for the tokens that are scored.</summary>
    public long HeadParameters => (long)Vocab * Hidden;

    /// <summary>
    /// Model FLOPs of one training pass (forward and backward, all weights trained) over one sequence of
    /// <paramref name="length"/> tokens of which <paramref name="scored"/> are targets: 6·N per token for the
    /// body, 6·N_head per scored token (the head runs only on those), and causal attention
    /// (QKᵀ and AV over the lower triangle: 2·T²·d forward, twice that backward, per layer).
    /// </summary>
    public double TrainingFlops(long length, long scored) =>
        6.0 * BodyMatmulParameters * length + 6.0 * HeadParameters * scored + 6.0 * Layers * Hidden * (double)length * length;
}
