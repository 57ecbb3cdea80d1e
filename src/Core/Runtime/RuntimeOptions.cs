namespace XRight.Runtime;

/// <summary>Where and how tensors are computed.</summary>
public sealed class RuntimeOptions
{
    /// <summary>
    /// <c>cpu</c>, <c>cuda</c> (first GPU), <c>cuda:N</c>, or <c>auto</c> (the first GPU when one is
    /// usable, else the CPU). Default: <c>auto</c>.
    /// </summary>
    public string Device { get; set; } = "auto";

    /// <summary>When CUDA is asked for and none is usable: run on the CPU instead of failing. Default: false.</summary>
    public bool AllowCpuFallback { get; set; }

    /// <summary>The one seed behind initialisation, dropout, data order and strategy draws. Default: 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>CPU threads for tensor work; 0 keeps libtorch's default (one per core). Default: 0.</summary>
    public int Threads { get; set; }
}
