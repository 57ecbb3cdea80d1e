using XRight.Modeling.Layers;
using static TorchSharp.torch;

namespace XRight.Modeling.Lora;

/// <summary>The LoRA adapters of one model: which layers carry them, and their shared on/off switch.</summary>
internal sealed class LoraAdapters
{
    private readonly LoraSwitch _switch = new();

    private LoraAdapters(LoraOptions options, IReadOnlyList<string> targets, IReadOnlyList<(string Name, AdaptableLinear Layer)> layers)
    {
        Options = options;
        Targets = targets;
        Layers = layers;
    }

    public LoraOptions Options { get; }

    /// <summary>The target names in effect (the options' list, or the model type's default).</summary>
    public IReadOnlyList<string> Targets { get; }

    /// <summary>The adapted layers with their full module names.</summary>
    public IReadOnlyList<(string Name, AdaptableLinear Layer)> Layers { get; }

    public bool IsMerged => Layers[0].Layer.IsMerged;

    /// <summary>True when PEFT would target the module called <paramref name="moduleName"/> with <paramref name="target"/>.</summary>
    public static bool Matches(string moduleName, string target) =>
        moduleName == target || moduleName.EndsWith("." + target, StringComparison.Ordinal);

    /// <summary>
    /// Attaches adapters to the matching layers of <paramref name="linears"/> (every linear layer of the
    /// model with its name; <paramref name="outputHeadName"/> is excluded from <see cref="LoraOptions.AllLinear"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid or no layer matches a target.</exception>
    public static LoraAdapters Attach(LoraOptions options, CausalLmConfig config, IReadOnlyList<(string Name, AdaptableLinear Layer)> linears, string outputHeadName)
    {
        options.Validate();
        var targets = options.ResolveTargets(config.Family.DefaultLoraTargets);
        bool allLinear = targets.Count == 1 && targets[0] == LoraOptions.AllLinear;
        if (!allLinear && targets.Contains(LoraOptions.AllLinear))
            throw new ArgumentException($"LoraOptions.TargetModules: '{LoraOptions.AllLinear}' cannot be combined with other names.");
        var chosen = linears.Where(l => allLinear ? l.Name != outputHeadName : targets.Any(t => Matches(l.Name, t))).ToList();
        var unmatched = allLinear ? [] : targets.Where(t => !linears.Any(l => Matches(l.Name, t))).ToList();
        if (unmatched.Count > 0 || chosen.Count == 0)
        {
            var available = linears.Select(l => l.Name[(l.Name.LastIndexOf('.') + 1)..]).Distinct();
            throw new ArgumentException($"LoraOptions.TargetModules: no linear layer matches {string.Join(", ", unmatched.Select(t => $"'{t}'"))}; " +
                                        $"this {config.ModelType} model's linear layers are named {string.Join(", ", available)}.");
        }

        var adapters = new LoraAdapters(options, targets, chosen);
        using var generator = new Generator((ulong)options.Seed);
        foreach (var (_, layer) in chosen) layer.AttachLora(options.Rank, options.Scaling, options.Dropout, adapters._switch, generator);
        return adapters;
    }

    public void Merge()
    {
        if (!_switch.Enabled) throw new InvalidOperationException("LoRA adapters cannot be merged while they are disabled; merge outside the DisableLora() scope.");
        foreach (var (_, layer) in Layers) layer.Merge();
    }

    public void Unmerge()
    {
        foreach (var (_, layer) in Layers) layer.Unmerge();
    }

    /// <summary>Switches the adapters off until the returned scope is disposed.</summary>
    public IDisposable Disable()
    {
        if (IsMerged) throw new InvalidOperationException("LoRA adapters cannot be disabled while they are merged into the base weights; call UnmergeLora() first.");
        bool previous = _switch.Enabled;
        _switch.Enabled = false;
        return new Restore(() => _switch.Enabled = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        private Action? _restore = restore;

        public void Dispose()
        {
            _restore?.Invoke();
            _restore = null;
        }
    }
}
