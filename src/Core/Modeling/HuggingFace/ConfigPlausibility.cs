using System.Globalization;
using System.Text.RegularExpressions;
using XRight.IO;
using XRight.Modeling.SafeTensors;

namespace XRight.Modeling.HuggingFace;

/// <summary>
/// Checks a folder's <c>config.json</c> against its checkpoint's safetensors headers before any model is
/// built, so a corrupt or mismatched configuration fails fast, naming the key and its value, instead
/// of allocating a model of the configured size (possibly many gigabytes) and failing on the first weight.
/// Only headers are read: no tensor data.
/// </summary>
internal static partial class ConfigPlausibility
{
    /// <exception cref="InvalidDataException">A key disagrees with the checkpoint.</exception>
    public static void Check(string configPath, string folder)
    {
        var f = JsonFile.Parse(File.ReadAllText(configPath), configPath);
        var (entries, checkpoint) = SafeTensorsCheckpoint.Entries(folder);

        if (f.OptionalInt("num_hidden_layers") is { } layers)
        {
            var indices = entries.Select(e => LayerIndexPattern().Match(e.Name)).Where(m => m.Success)
                .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
            if (indices.Count > 0)
            {
                int highest = indices.Max();
                if (layers != highest + 1)
                    throw f.Invalid($"num_hidden_layers {layers} but {checkpoint} has layers 0–{highest}.");
            }
        }

        var embedding = entries.FirstOrDefault(e => EmbeddingPattern().IsMatch(e.Name) && e.Shape.Length == 2);
        if (embedding is null) return;
        var shape = $"[{string.Join(", ", embedding.Shape)}]";
        if (f.OptionalInt("vocab_size") is { } vocab && vocab != embedding.Shape[0])
            throw f.Invalid($"vocab_size {vocab} but {checkpoint} has the embedding '{embedding.Name}' of shape {shape} (vocab × hidden).");
        // OPT may embed into a smaller width and project up; that width is the embedding's.
        var widthKey = f.Json["word_embed_proj_dim"] is not null ? "word_embed_proj_dim" : "hidden_size";
        if (f.OptionalInt(widthKey) is { } width && width != embedding.Shape[1])
            throw f.Invalid($"{widthKey} {width} but {checkpoint} has the embedding '{embedding.Name}' of shape {shape} (vocab × hidden).");
    }

    [GeneratedRegex(@"(?:^|\.)(?:layers|h)\.(\d+)\.")]
    private static partial Regex LayerIndexPattern();

    [GeneratedRegex(@"(?:^|\.)(?:embed_tokens|embed_in|wte)\.weight$")]
    private static partial Regex EmbeddingPattern();
}
