using System.Text.Json;
using TorchSharp;
using XRight.Modeling;
using XRight.Modeling.Lora;
using static TorchSharp.torch;

namespace XRight.GpuCheck;

/// <summary>
/// Section (b): Hugging Face folders and PEFT adapters saved by XRight, each with XRight's logits (CPU, float32)
/// for fixed token ids, listed in <c>manifest.json</c> for tools/gpu/hf_check.py, which loads them with
/// transformers and PEFT and compares. The tiny GPT-NeoX and Llama models of the equality check are saved in
/// float32; a LoRA adapter of each (random non-zero B, so the adapter changes the logits) is saved in the PEFT
/// layout against that folder as its base; the real stories260K checkpoint is loaded and saved again.
/// </summary>
internal static class HuggingFaceExport
{
    public const string ManifestFile = "manifest.json";
    public const string LogitsFile = "xright_logits.json";

    /// <summary>The tolerance hf_check.py applies (max abs difference of the logits, float32 on both sides).</summary>
    public const double Tolerance = 1e-4;

    public static HfExportReport Run(string folder, string? sharedDir, TextWriter log)
    {
        Prepare(folder);
        var entries = new List<HfEntry>();
        var notes = new List<string>();

        foreach (var (name, makeConfig) in EqualityCheck.TinyModels)
        {
            var config = makeConfig();
            using var model = EqualityCheck.CreateTiny(config, ModelDtype.Float32, CPU);
            model.eval();
            var ids = FixedIds(config.VocabSize, seed: 21);
            model.SavePretrained(Path.Combine(folder, name));
            entries.Add(WriteLogits(folder, new HfEntry { Name = name, Kind = "model", Folder = name, Source = $"CausalLm.Create (seed 5), {config.ModelType}, float32" }, model, ids));
            log.WriteLine($"  saved {name}");

            var lora = config.Architecture == CausalLmArchitecture.GptNeoX
                ? new LoraOptions { Rank = 8, Alpha = 16, TargetModules = ["query_key_value", "dense_h_to_4h"] }
                : new LoraOptions { Rank = 8, Alpha = 16, TargetModules = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] };
            model.ApplyLora(lora);
            RandomizeLoraB(model, seed: 31);
            string adapter = name + "-lora";
            model.SaveLoraAdapter(Path.Combine(folder, adapter));
            entries.Add(WriteLogits(folder, new HfEntry
            {
                Name = adapter, Kind = "adapter", Folder = adapter, Base = name,
                Source = $"LoRA r = {lora.Rank}, α = {lora.Alpha} on {string.Join(", ", lora.TargetModules)}; B drawn at random (N(0, 0.02²)) so the adapter changes the logits",
            }, model, ids));
            log.WriteLine($"  saved {adapter}");
        }

        var stories = sharedDir is null ? null : Path.Combine(sharedDir, "models", "stories260k");
        if (stories is not null && File.Exists(Path.Combine(stories, "config.json")))
        {
            const string name = "stories260k";
            string saved = Path.Combine(folder, name);
            using (var original = CausalLm.FromPretrained(stories))
                original.SavePretrained(saved);
            using var model = CausalLm.FromPretrained(saved);
            var ids = FixedIds(model.Config.VocabSize, seed: 41);
            entries.Add(WriteLogits(folder, new HfEntry
            {
                Name = name, Kind = "model", Folder = name, Original = Path.GetFullPath(stories),
                Source = "the pretrained stories260K Llama (shared assets), loaded and saved again by XRight; logits of the saved folder",
            }, model, ids));
            log.WriteLine($"  saved {name} (from {stories})");
        }
        else
        {
            notes.Add($"stories260k skipped: no models/stories260k/config.json under the shared folder ({sharedDir ?? "none found"}).");
            log.WriteLine("  " + notes[^1]);
        }

        WriteManifest(folder, entries);
        return new HfExportReport { Folder = folder, Manifest = Path.Combine(folder, ManifestFile), Entries = entries, Notes = notes, Tolerance = Tolerance };
    }

    // The folder is recreated; refuse to delete a folder this program did not write.
    private static void Prepare(string folder)
    {
        if (Directory.Exists(folder))
        {
            bool ours = File.Exists(Path.Combine(folder, ManifestFile)) || !Directory.EnumerateFileSystemEntries(folder).Any();
            if (!ours) throw new IOException($"'{folder}' exists and holds no {ManifestFile}; refusing to overwrite it (choose another --hf-out).");
            Directory.Delete(folder, recursive: true);
        }
        Directory.CreateDirectory(folder);
    }

    private static long[,] FixedIds(int vocab, int seed)
    {
        var random = new Random(seed);
        var ids = new long[2, 12];
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 12; t++)
                ids[b, t] = random.Next(3, vocab);
        return ids;
    }

    private static void RandomizeLoraB(CausalLm model, int seed) => XRight.Interop.InteropSuite.RandomizeLoraB(model, seed);

    private static HfEntry WriteLogits(string folder, HfEntry entry, CausalLm model, long[,] ids)
    {
        int rows = ids.GetLength(0), length = ids.GetLength(1);
        float[] values;
        long vocab;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var flat = new long[rows * length];
            Buffer.BlockCopy(ids, 0, flat, 0, flat.Length * sizeof(long));
            var logits = model.Forward(tensor(flat, [rows, length], ScalarType.Int64, model.Device)).to(ScalarType.Float32).cpu();
            vocab = logits.shape[2];
            values = logits.data<float>().ToArray();
        }
        string relative = Path.Combine(entry.Folder, LogitsFile);
        using (var stream = File.Create(Path.Combine(folder, relative)))
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("model", entry.Name);
            writer.WriteString("dtype", "float32");
            writer.WriteStartArray("shape");
            writer.WriteNumberValue(rows);
            writer.WriteNumberValue(length);
            writer.WriteNumberValue(vocab);
            writer.WriteEndArray();
            writer.WriteStartArray("ids");
            for (int b = 0; b < rows; b++)
            {
                writer.WriteStartArray();
                for (int t = 0; t < length; t++) writer.WriteNumberValue(ids[b, t]);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("logits"); // [rows][length][vocab], shortest round-trip float32 text
            int next = 0;
            for (int b = 0; b < rows; b++)
            {
                writer.WriteStartArray();
                for (int t = 0; t < length; t++)
                {
                    writer.WriteStartArray();
                    for (int v = 0; v < vocab; v++) writer.WriteNumberValue(values[next++]);
                    writer.WriteEndArray();
                }
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return entry with { Logits = relative, Shape = [rows, length, vocab] };
    }

    private static void WriteManifest(string folder, IReadOnlyList<HfEntry> entries)
    {
        var manifest = new HfManifest { Entries = entries, Tolerance = Tolerance };
        File.WriteAllText(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, ReportJson.Options));
    }
}

/// <summary>The list hf_check.py reads; paths are relative to the manifest's folder.</summary>
internal sealed record HfManifest
{
    public string Schema { get; init; } = "xright-hf-export/1";
    public required IReadOnlyList<HfEntry> Entries { get; init; }
    public double Tolerance { get; init; }
}

/// <summary>One saved folder: a model (<c>kind</c> "model") or a PEFT adapter on <see cref="Base"/> ("adapter").</summary>
internal sealed record HfEntry
{
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public required string Folder { get; init; }
    public string? Base { get; init; }
    public string? Logits { get; init; }
    public long[]? Shape { get; init; }
    public string? Source { get; init; }

    /// <summary>For a re-saved checkpoint: the folder it was read from.</summary>
    public string? Original { get; init; }
}

internal sealed record HfExportReport
{
    public required string Folder { get; init; }
    public required string Manifest { get; init; }
    public required IReadOnlyList<HfEntry> Entries { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }
    public double Tolerance { get; init; }
}
