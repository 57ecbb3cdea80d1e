namespace XRight.Modeling;

/// <summary>The transformer layouts this library implements.</summary>
public enum CausalLmArchitecture
{
    /// <summary>GPT-NeoX (Pythia): LayerNorm, fused <c>query_key_value</c>, partial rotary, parallel residual.</summary>
    GptNeoX,

    /// <summary>Llama and the models shaped like it (Qwen2, Mistral): RMSNorm, rotary, SwiGLU, grouped-query attention.</summary>
    Llama,

    /// <summary>OPT: learned positions (offset 2), LayerNorm before (or, in opt-350m, after) each sublayer, ReLU MLP, tied embeddings, optional <c>project_in</c>/<c>project_out</c>.</summary>
    Opt,
}
