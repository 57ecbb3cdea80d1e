using TorchSharp.Modules;
using static TorchSharp.torch;

namespace XRight.Modeling.HuggingFace;

/// <summary>Puts loaded tensors into a model's parameters by name, strictly.</summary>
internal static class WeightBinding
{
    /// <summary>
    /// Throws <see cref="CheckpointMismatchException"/> when a target has no tensor in
    /// <paramref name="found"/> or a found name (other than an <paramref name="ignorable"/> one) has no target.
    /// </summary>
    public static void CheckNames(string source, IEnumerable<string> targets, IEnumerable<string> found, Func<string, bool> ignorable)
    {
        var foundSet = found.ToHashSet(StringComparer.Ordinal);
        var targetSet = targets.ToHashSet(StringComparer.Ordinal);
        var missing = targetSet.Where(name => !foundSet.Contains(name)).Order(StringComparer.Ordinal).ToList();
        var unexpected = foundSet.Where(name => !targetSet.Contains(name) && !ignorable(name)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0) throw new CheckpointMismatchException(source, missing, unexpected, []);
    }

    /// <summary>
    /// Assigns every target its tensor from <paramref name="loaded"/> (names already checked), after
    /// checking all shapes. A tensor of the parameter's type and device becomes its storage, so loading
    /// costs no second copy; others are copied and converted. Every loaded tensor is disposed.
    /// </summary>
    public static void Assign(string source, IReadOnlyDictionary<string, Parameter> targets, Dictionary<string, Tensor> loaded)
    {
        try
        {
            var shapes = targets.Where(t => !t.Value.shape.SequenceEqual(loaded[t.Key].shape))
                .Select(t => $"{t.Key}: checkpoint [{string.Join(", ", loaded[t.Key].shape)}] vs model [{string.Join(", ", t.Value.shape)}]")
                .Order(StringComparer.Ordinal).ToList();
            if (shapes.Count > 0) throw new CheckpointMismatchException(source, [], [], shapes);

            using var noGrad = no_grad();
            foreach (var (name, parameter) in targets)
            {
                var tensor = loaded[name];
                bool sameKind = tensor.dtype == parameter.dtype && tensor.device_type == parameter.device_type && tensor.device_index == parameter.device_index;
                if (sameKind && tensor.is_contiguous()) parameter.set_(tensor);
                else parameter.copy_(tensor);
            }
        }
        finally
        {
            foreach (var tensor in loaded.Values) tensor.Dispose();
        }
    }
}
