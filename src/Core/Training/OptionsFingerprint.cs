using System.Collections;
using System.Globalization;
using System.Reflection;
using XRight.Modeling.Lora;

namespace XRight.Training;

/// <summary>
/// The options that decide a run's arithmetic, as "path=value" lines, derived from the option records
/// by reflection: every property is included unless marked <see cref="NotInFingerprintAttribute"/>, so a
/// new option cannot be forgotten. A checkpoint is only resumed by a run that would have produced it,
/// and a refusal names the options that differ.
/// </summary>
internal static class OptionsFingerprint
{
    /// <summary>The fingerprint of the training options (only the properties of <see cref="JointTrainerOptions"/>, not of a derived type).</summary>
    public static string Of(JointTrainerOptions options) => string.Join('\n', Lines(typeof(JointTrainerOptions), options, ""));

    /// <summary>
    /// The options that decide how a reference trained on the chosen responses comes out (its SFT run):
    /// the optimizer, the SFT batching, the seed, LoRA and the reference's own epochs — not the strategy,
    /// λ or epochs of the run that uses it, so a λ sweep shares one reference.
    /// </summary>
    public static string OfReferenceTraining(JointTrainerOptions o) => string.Join('\n', new[]
    {
        Line("Reference.TrainingEpochs", o.Reference.TrainingEpochs),
        Line("Batches.SftBatchSize", o.Batches.SftBatchSize),
        Line("Batches.GradientAccumulationSteps", o.Batches.GradientAccumulationSteps),
        Line("Batches.GroupByLength", o.Batches.GroupByLength),
        Line("Runtime.Seed", o.Runtime.EffectiveSeed),
    }.Concat(Lines(typeof(OptimizerOptions), o.Optimizer, "Optimizer."))
     .Concat(Lines(typeof(LoraOptions), o.Lora, "Lora.")));

    /// <summary>One line per option of <paramref name="type"/>; nested option records are expanded with their path.</summary>
    public static IEnumerable<string> Lines(Type type, object? value, string prefix)
    {
        if (value is null)
        {
            yield return Line(prefix.TrimEnd('.'), null);
            yield break;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).OrderBy(p => p.MetadataToken))
        {
            if (property.GetCustomAttribute<NotInFingerprintAttribute>() is not null || property.GetIndexParameters().Length > 0) continue;
            var child = property.GetValue(value);
            var path = prefix + property.Name;
            var declared = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsOptionsRecord(declared))
                foreach (var line in Lines(declared, child, path + "."))
                    yield return line;
            else
                yield return Line(path, child);
        }
    }

    /// <summary>The lines that differ, as "name: checkpoint X, now Y" (a line only one side has is "absent" on the other).</summary>
    public static string Differences(string saved, string current)
    {
        static Dictionary<string, string> Parse(string fingerprint) => fingerprint.Split('\n').Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        var before = Parse(saved);
        var now = Parse(current);
        return string.Join('\n', now.Keys.Concat(before.Keys.Where(k => !now.ContainsKey(k)))
            .Where(k => !before.TryGetValue(k, out var v) || !now.TryGetValue(k, out var w) || v != w)
            .Select(k => $"  {k}: checkpoint {before.GetValueOrDefault(k, "absent")}, now {now.GetValueOrDefault(k, "absent")}"));
    }

    private static bool IsOptionsRecord(Type type) => type.IsClass && type.Name.EndsWith("Options", StringComparison.Ordinal) && type.Namespace?.StartsWith("XRight", StringComparison.Ordinal) == true;

    private static string Line(string path, object? value) => $"{path}={Format(value)}";

    private static string Format(object? value) => value switch
    {
        null => "none",
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        ObjectivePair pair => $"{Format(pair.Dpo)}|{Format(pair.Sft)}", // its ToString would follow the current culture
        IEnumerable items => string.Join('|', items.Cast<object?>().Select(Format)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "none",
    };
}
