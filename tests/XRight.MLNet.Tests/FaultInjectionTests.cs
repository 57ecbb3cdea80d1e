using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using XRight.Data;
using XRight.Modeling;
using XRight.Modeling.SafeTensors;
using XRight.MLNet;
using XRight.Tests.Training;
using XRight.Text;
using XRight.Training;
using static XRight.Tests.MLNet.PostTrainingFixture;

namespace XRight.Tests.MLNet;

/// <summary>
/// Bad inputs at every public entry point, one table: data files, Hugging Face folders, model zips, options,
/// checkpoints and resumes with changed inputs. Each case asserts the exception's exact type, that its message
/// names what it must (the file, line or row, key, option, or input that differs), that no temporary file or
/// folder is left in the case's folder, and that the good output the case guards is byte-identical afterwards.
/// </summary>
[TestClass]
public sealed class FaultInjectionTests
{
    /// <summary>One bad input: <see cref="Arrange"/> prepares the folder and returns the failing call.</summary>
    /// <param name="LoadsZip">A model-zip load, after which no new ML.NET scratch folder may be left (the temp folder is shared, so only these cases look).</param>
    private sealed record Fault(Type Exception, Func<Case, Action> Arrange, bool LoadsZip = false);

    /// <summary>A case's folder, what it guards (prior good output) and what its message must name.</summary>
    private sealed class Case(string root)
    {
        public string Root { get; } = root;
        public List<string> Guarded { get; } = [];
        public List<string> MustName { get; } = [];
        public string File(string name) => Path.Combine(Root, name);
    }

    public static IEnumerable<object[]> Names => Faults.Keys.Select(name => new object[] { name });

    [TestMethod]
    [DynamicData(nameof(Names))]
    public void ABadInputFailsNamingItAndLeavesNothingBehind(string name)
    {
        var fault = Faults[name];
        using var dir = new TempDirectory();
        var c = new Case(dir.Path);
        var act = fault.Arrange(c);
        var guarded = c.Guarded.ToDictionary(p => p, Snapshot);
        var scratch = ScratchFolders();

        var error = Assert.Throws<Exception>(act, name);

        Assert.AreEqual(fault.Exception, error.GetType(), $"{name}: {error}");
        foreach (var part in c.MustName) StringAssert.Contains(error.Message, part, $"{name}: the message names {part}");
        foreach (var (path, before) in guarded)
        {
            var after = Snapshot(path);
            CollectionAssert.AreEqual(before.Keys.ToArray(), after.Keys.ToArray(), $"{name}: files of {path}");
            foreach (var (file, bytes) in before) CollectionAssert.AreEqual(bytes, after[file], $"{name}: {file} changed");
        }
        var leftovers = Directory.EnumerateFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) is var n && n.StartsWith('.') && (n.EndsWith(".tmp", StringComparison.Ordinal) || n.EndsWith(".old", StringComparison.Ordinal)))
            .ToArray();
        Assert.IsEmpty(leftovers, $"{name}: temporary files left: {string.Join(", ", leftovers)}");
        if (fault.LoadsZip) CollectionAssert.IsSubsetOf(LastingScratchFolders(scratch), scratch, $"{name}: no ML.NET scratch folder is left");
        Assert.IsEmpty(Directory.GetFiles(Path.GetTempPath(), "evil.txt"), $"{name}: nothing was written outside");
    }

    // Every file under a path (a file or a folder), by relative name.
    private static Dictionary<string, byte[]> Snapshot(string path)
        => System.IO.File.Exists(path)
            ? new Dictionary<string, byte[]> { [""] = System.IO.File.ReadAllBytes(path) }
            : Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .ToDictionary(f => Path.GetRelativePath(path, f), System.IO.File.ReadAllBytes);

    private static string[] ScratchFolders() => Directory.GetDirectories(Path.GetTempPath(), "ml_dotnet*");

    // The temp folder is shared with other processes, whose ML.NET loads come and go: a new scratch folder
    // counts as left behind only if it is still there after 10 s.
    private static string[] LastingScratchFolders(string[] before)
    {
        for (int i = 0; i < 20 && ScratchFolders().Except(before).Any(); i++) Thread.Sleep(500);
        return ScratchFolders();
    }

    private sealed record OnlyPrompt(string Prompt);

    private static readonly CausalLmConfig TinyConfig = CausalLmConfig.CreateGptNeoX(vocabSize: 258, hiddenSize: 16, numLayers: 1, numHeads: 2, eosTokenId: 256);

    private static string SavedFolder(Case c, string name)
    {
        var folder = c.File(name);
        using var model = CausalLm.Create(TinyConfig, new ModelOptions { Seed = 1 });
        model.SavePretrained(folder, CausalLmTokenizer.CreateByteLevel());
        return folder;
    }

    private static void EditConfig(string folder, string key, JsonNode value)
    {
        var path = Path.Combine(folder, "config.json");
        var json = JsonNode.Parse(System.IO.File.ReadAllText(path))!;
        json[key] = value;
        System.IO.File.WriteAllText(path, json.ToJsonString());
    }

    private static byte[] GoodParquet(Case c)
    {
        var ml = new MLContext(seed: 1);
        var path = c.File("good.parquet");
        ml.Data.SaveAsParquet(ml.Data.LoadFromEnumerable(Instructions(6)), path);
        var bytes = System.IO.File.ReadAllBytes(path);
        System.IO.File.Delete(path);
        return bytes;
    }

    // One fitted tiny model, saved as a zip, for the zip cases.
    private static readonly Lazy<byte[]> GoodZip = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var data = Combined(ml, instructions: 8, preferences: 4);
        var options = Options(JointStrategy.Mix) with { Strategy = new() { Kind = JointStrategy.Mix, Lambda = 0.5, Epochs = 1 } };
        var model = TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(options)).Fit(data);
        using var dir = new TempDirectory();
        var zip = dir.File("good.zip");
        ml.Model.Save(model, data.Schema, zip);
        return System.IO.File.ReadAllBytes(zip);
    });

    // Rewrites the first file bundle in the zip (the stream holding "XRFB") to start with a file of the given name.
    private static void PlantTraversal(string zip, string name)
    {
        byte[] magic = [0x42, 0x46, 0x52, 0x58];
        using var archive = ZipFile.Open(zip, ZipArchiveMode.Update);
        foreach (var entry in archive.Entries.ToArray())
        {
            byte[] content;
            using (var s = entry.Open()) { using var m = new MemoryStream(); s.CopyTo(m); content = m.ToArray(); }
            int at = content.AsSpan().IndexOf(magic);
            if (at < 0) continue;
            var planted = new MemoryStream();
            using (var writer = new BinaryWriter(planted, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(content, 0, at);
                writer.Write(0x58524642);
                writer.Write(1);
                writer.Write(name);
                writer.Write(4L);
                writer.Write("evil"u8.ToArray());
            }
            // The rest of the stream stays as it was, so every length the container records still holds.
            var rest = content.AsSpan((int)Math.Min(planted.Length, content.Length)).ToArray();
            planted.Write(rest);
            var fullName = entry.FullName;
            entry.Delete();
            using var output = archive.CreateEntry(fullName).Open();
            output.Write(planted.ToArray().AsSpan(0, Math.Max(content.Length, (int)planted.Length)));
            return;
        }
        Assert.Fail("no file bundle in the zip");
    }

    // A finished 4-step run of the trainer tests' tiny task with checkpoints at 2 and 4, made once and copied per case.
    private static readonly Lazy<string> CheckpointTemplate = new(() =>
    {
        var directory = Path.Combine(Path.GetTempPath(), "xright-tests-" + Guid.NewGuid().ToString("N"), "checkpoints");
        using (new JointTrainer(Checkpointed(directory)).Train(() => TinyTask.Model(), TinyTask.Data()).Model) { }
        return directory;
    });

    [ClassCleanup]
    public static void RemoveTemplate()
    {
        if (CheckpointTemplate.IsValueCreated) Directory.Delete(Path.GetDirectoryName(CheckpointTemplate.Value)!, recursive: true);
    }

    private static JointTrainerOptions Checkpointed(string directory)
    {
        var options = TinyTask.Options(JointStrategy.AlRight);
        return options with
        {
            Strategy = options.Strategy with { MaxSteps = 4 },
            Checkpoints = new CheckpointOptions { Directory = directory, Interval = 2 },
        };
    }

    private static JointTrainerOptions Resume(string checkpoint)
        => Checkpointed(Path.GetDirectoryName(checkpoint)!) with { Checkpoints = new CheckpointOptions { ResumeFrom = checkpoint } };

    private static (string Directory, string Last) Checkpoints(Case c)
    {
        var directory = c.File("checkpoints");
        foreach (var file in Directory.EnumerateFiles(CheckpointTemplate.Value, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(directory, Path.GetRelativePath(CheckpointTemplate.Value, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            System.IO.File.Copy(file, target);
        }
        return (directory, Path.Combine(directory, "checkpoint-0000004"));
    }

    private static JointTrainingData OtherInstructions()
    {
        var data = TinyTask.Data();
        return new JointTrainingData
        {
            Instructions = TinyTask.Data(seed: 99).Instructions,
            Preferences = data.Preferences,
            InstructionEvaluation = data.InstructionEvaluation,
            PreferenceEvaluation = data.PreferenceEvaluation,
        };
    }

    private static readonly Dictionary<string, Fault> Faults = new()
    {
        // Data files.
        ["jsonl: last line cut short"] = new(typeof(InvalidDataException), c =>
        {
            var path = c.File("rows.jsonl");
            System.IO.File.WriteAllText(path, "{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\", \"resp");
            c.MustName.AddRange([$"'{path}', line 2: invalid JSON"]);
            return () => new MLContext().Data.LoadFromJsonLines(path, new JsonLinesOptions { Streaming = false });
        }),
        ["jsonl: a line that is not an object"] = new(typeof(InvalidDataException), c =>
        {
            var path = c.File("rows.jsonl");
            System.IO.File.WriteAllText(path, "{\"prompt\": \"a\"}\n\n[1, 2]\n");
            c.MustName.Add($"'{path}', line 3: expected a JSON object");
            return () => new MLContext().Data.LoadFromJsonLines(path, new JsonLinesOptions { Streaming = false });
        }),
        ["jsonl: a line over MaxLineBytes"] = new(typeof(InvalidDataException), c =>
        {
            var path = c.File("rows.jsonl");
            System.IO.File.WriteAllText(path, "{\"prompt\": \"" + new string('x', 2000) + "\"}\n");
            c.MustName.Add($"'{path}', line 1: the line is longer than 1000 bytes (JsonLinesOptions.MaxLineBytes)");
            return () => new MLContext().Data.LoadFromJsonLines(path, new JsonLinesOptions { MaxLineBytes = 1000 });
        }),
        ["jsonl: a selected key missing"] = new(typeof(InvalidDataException), c =>
        {
            var path = c.File("rows.jsonl");
            System.IO.File.WriteAllText(path, "{\"prompt\": \"a\"}\n");
            c.MustName.Add($"'{path}', line 1: key 'response' is missing");
            return () => new MLContext().Data.LoadFromJsonLines(path, new JsonLinesOptions { Columns = ["prompt", "response"] });
        }),
        ["parquet: not a Parquet file"] = new(typeof(InvalidDataException), c =>
        {
            var path = c.File("rows.parquet");
            System.IO.File.WriteAllText(path, "prompt,response\nhello,world\n");
            c.MustName.Add($"'{path}' is not a Parquet file");
            return () => new MLContext().Data.LoadFromParquet(path);
        }),
        ["parquet: cut short"] = new(typeof(InvalidDataException), c =>
        {
            var path = c.File("rows.parquet");
            var bytes = GoodParquet(c);
            System.IO.File.WriteAllBytes(path, bytes[..(bytes.Length - 20)]);
            c.MustName.Add($"'{path}' is truncated or corrupt");
            return () => new MLContext().Data.LoadFromParquet(path);
        }),
        ["parquet: a text column of numbers"] = new(typeof(ArgumentOutOfRangeException), c =>
        {
            var jsonl = c.File("numbers.jsonl");
            System.IO.File.WriteAllText(jsonl, string.Concat(Enumerable.Range(0, 6).Select(i => $"{{\"Prompt\": {i}, \"Response\": \"r{i}\"}}\n")));
            var path = c.File("rows.parquet");
            var ml = new MLContext(seed: 1);
            ml.Data.SaveAsParquet(ml.Data.LoadFromJsonLines(jsonl), path);
            c.MustName.Add("FormatPrompt: column 'Prompt' must be scalar text, but is Int64");
            return () => TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(Options())).Fit(ml.Data.LoadFromParquet(path));
        }),
        ["data: no token columns (no tokenizer stage)"] = new(typeof(ArgumentException), c =>
        {
            var ml = new MLContext(seed: 1);
            var view = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new OnlyPrompt($"p{i}")));
            c.MustName.Add("in-memory data has no token column 'PromptTokens': put mlContext.Transforms.Text.TokenizeForCausalLm(...) before the post-training stage");
            return () => ml.PostTraining.JointPostTrain(Options()).Fit(view);
        }),
        ["strict data after CombineData: the source file and its own row"] = new(typeof(InvalidDataException), c =>
        {
            var ml = new MLContext(seed: 1);
            var file = c.File("pairs.jsonl");
            System.IO.File.WriteAllLines(file, Preferences(6).Select((p, i) => System.Text.Json.JsonSerializer.Serialize(
                new { Prompt = p.Prompt, Chosen = p.Chosen, Rejected = i == 2 ? p.Chosen : p.Rejected })));
            var data = ml.PostTraining.CombineData(ml.Data.LoadFromEnumerable(Instructions(12)), ml.Data.LoadFromJsonLines(file));
            c.MustName.Add($"'{file}', row 3,");
            return () => TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(Options() with { StrictData = true })).Fit(data);
        }),
        ["every preference row too long: counts and the limit"] = new(typeof(ArgumentException), c =>
        {
            var ml = new MLContext(seed: 1);
            var tooLong = Enumerable.Range(0, 12).Select(i => new Preference($"Tell me about color {i}", new string('a', 80), new string('b', 80)));
            var data = ml.PostTraining.CombineData(ml.Data.LoadFromEnumerable(Instructions(10)), ml.Data.LoadFromEnumerable(tooLong));
            c.MustName.Add("Preference set is empty after validation: 12 rows read, 12 skipped: 12 too long (limit 48 tokens)");
            return () => TextPipeline(ml, maxLength: 48).Append(ml.PostTraining.JointPostTrain(Options())).Fit(data);
        }),

        // Hugging Face folders.
        ["folder: model.safetensors missing"] = new(typeof(FileNotFoundException), c =>
        {
            var folder = SavedFolder(c, "model");
            System.IO.File.Delete(Path.Combine(folder, "model.safetensors"));
            c.MustName.Add(folder);
            return () => CausalLm.FromPretrained(folder).Dispose();
        }),
        ["folder: model.safetensors cut short"] = new(typeof(SafeTensorsFormatException), c =>
        {
            var folder = SavedFolder(c, "model");
            var weights = Path.Combine(folder, "model.safetensors");
            var bytes = System.IO.File.ReadAllBytes(weights);
            System.IO.File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
            c.MustName.Add($"Invalid safetensors data in '{weights}'");
            c.MustName.Add("run past the end of the data section");
            return () => CausalLm.FromPretrained(folder).Dispose();
        }),
        ["folder: num_hidden_layers 50000"] = new(typeof(InvalidDataException), c =>
        {
            var folder = SavedFolder(c, "model");
            EditConfig(folder, "num_hidden_layers", 50000);
            c.MustName.Add("config.json: num_hidden_layers 50000 but model.safetensors has layers 0–0");
            return () => CausalLm.FromPretrained(folder).Dispose();
        }),
        ["folder: vocab_size 2147483647"] = new(typeof(InvalidDataException), c =>
        {
            var folder = SavedFolder(c, "model");
            EditConfig(folder, "vocab_size", int.MaxValue);
            c.MustName.Add("vocab_size");
            c.MustName.Add("2147483647");
            return () => CausalLm.FromPretrained(folder).Dispose();
        }),
        ["folder: SavePretrained of a disposed model over a good folder"] = new(typeof(ObjectDisposedException), c =>
        {
            var folder = SavedFolder(c, "model");
            c.Guarded.Add(folder);
            var model = CausalLm.Create(TinyConfig, new ModelOptions { Seed = 2 });
            model.Dispose();
            return () => model.SavePretrained(folder);
        }),

        ["folder: SaveLoraAdapter of a disposed model over a good adapter"] = new(typeof(ObjectDisposedException), c =>
        {
            var folder = c.File("adapter");
            using (var good = CausalLm.Create(TinyConfig, new ModelOptions { Seed = 1 }))
            {
                good.ApplyLora(new LoraOptions { Rank = 2, Alpha = 4 });
                good.SaveLoraAdapter(folder);
            }
            c.Guarded.Add(folder);
            var model = CausalLm.Create(TinyConfig, new ModelOptions { Seed = 2 });
            model.ApplyLora(new LoraOptions { Rank = 2, Alpha = 4 });
            model.Dispose();
            return () => model.SaveLoraAdapter(folder);
        }),

        // Model zips.
        ["zip: not a zip"] = new(typeof(InvalidDataException), c =>
        {
            var path = c.File("model.zip");
            System.IO.File.WriteAllText(path, "not a zip");
            c.MustName.Add(path);
            return () => new MLContext().PostTraining.LoadModel(path, out _);
        }, LoadsZip: true),
        ["zip: cut short"] = new(typeof(InvalidDataException), c =>
        {
            var path = c.File("model.zip");
            var bytes = GoodZip.Value;
            System.IO.File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            c.MustName.Add(path);
            return () => new MLContext().PostTraining.LoadModel(path, out _);
        }, LoadsZip: true),
        ["zip: an entry named ../../../evil.txt"] = new(typeof(InvalidDataException), c =>
        {
            var path = c.File("model.zip");
            System.IO.File.WriteAllBytes(path, GoodZip.Value);
            PlantTraversal(path, "../../../evil.txt");
            c.MustName.Add(path);
            c.MustName.Add("'../../../evil.txt' is not a plain file name");
            return () => new MLContext().PostTraining.LoadModel(path, out _);
        }, LoadsZip: true),

        // Options.
        ["options: Strategy.Lambda 1.5"] = new(typeof(ArgumentOutOfRangeException), c =>
        {
            var options = TinyTask.Options(JointStrategy.AlRight);
            options = options with { Strategy = options.Strategy with { Lambda = 1.5 } };
            c.MustName.Add("Strategy.Lambda must be in [0, 1], found 1.5");
            return () => new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data());
        }),
        ["options: Checkpoints.Keep 0"] = new(typeof(ArgumentOutOfRangeException), c =>
        {
            var options = TinyTask.Options(JointStrategy.AlRight) with { Checkpoints = new CheckpointOptions { Directory = c.File("checkpoints"), Keep = 0 } };
            c.MustName.Add("Checkpoints.Keep must be at least 1, found 0");
            return () => new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data());
        }),
        ["options: ParetoSelect with no λ"] = new(typeof(ArgumentException), c =>
        {
            var work = c.File("sweep");
            c.MustName.Add("ParetoSelectOptions.Lambdas is empty");
            return () =>
            {
                try
                {
                    new MLContext().PostTraining.ParetoSelect(Options(), new ParetoSelectOptions { Lambdas = [], WorkingDirectory = work });
                }
                finally
                {
                    Assert.IsFalse(Directory.Exists(work), "the working directory was not created");
                }
            };
        }),
        ["options: JsonLinesOptions.MaxLineBytes 0"] = new(typeof(ArgumentOutOfRangeException), c =>
        {
            var path = c.File("rows.jsonl");
            System.IO.File.WriteAllText(path, "{\"prompt\": \"a\"}\n");
            c.MustName.Add("JsonLinesOptions.MaxLineBytes must be at least 1, found 0");
            return () => new MLContext().Data.LoadFromJsonLines(path, new JsonLinesOptions { MaxLineBytes = 0 });
        }),

        // Checkpoints and resumes.
        ["checkpoint: state.json cut short"] = new(typeof(InvalidDataException), c =>
        {
            var (directory, last) = Checkpoints(c);
            var state = Path.Combine(last, "state.json");
            var text = System.IO.File.ReadAllText(state);
            System.IO.File.WriteAllText(state, text[..(text.Length / 2)]);
            c.Guarded.Add(directory);
            c.MustName.Add(state);
            return () => new JointTrainer(Resume(last)).Train(() => TinyTask.Model(), TinyTask.Data());
        }),
        ["checkpoint: trainable.safetensors cut short"] = new(typeof(SafeTensorsFormatException), c =>
        {
            var (directory, last) = Checkpoints(c);
            var weights = Path.Combine(last, "trainable.safetensors");
            var bytes = System.IO.File.ReadAllBytes(weights);
            System.IO.File.WriteAllBytes(weights, bytes[..(bytes.Length - 64)]);
            c.Guarded.Add(directory);
            c.MustName.Add($"Invalid safetensors data in '{weights}'");
            return () => new JointTrainer(Resume(last)).Train(() => TinyTask.Model(), TinyTask.Data());
        }),
        ["checkpoint: a folder holding another run's checkpoints"] = new(typeof(InvalidOperationException), c =>
        {
            var (directory, _) = Checkpoints(c);
            c.Guarded.Add(directory);
            c.MustName.Add($"Checkpoints.Directory '{directory}' holds checkpoints of another run");
            c.MustName.Add("the instruction data");
            var options = Checkpointed(directory);
            return () => new JointTrainer(options).Train(() => TinyTask.Model(), OtherInstructions());
        }),
        ["resume: another base model"] = new(typeof(InvalidOperationException), c =>
        {
            var (directory, last) = Checkpoints(c);
            c.Guarded.Add(directory);
            c.MustName.Add("the base model (configuration and weights)");
            c.MustName.Add("differs from the run that wrote checkpoint-0000004");
            var wider = CausalLmConfig.CreateGptNeoX(vocabSize: TinyTask.Vocab, hiddenSize: 32, numLayers: 1, numHeads: 2, eosTokenId: TinyTask.Eos);
            return () => new JointTrainer(Resume(last)).Train(() => CausalLm.Create(wider, new ModelOptions { Seed = 1 }), TinyTask.Data());
        }),
        ["resume: other instruction data"] = new(typeof(InvalidOperationException), c =>
        {
            var (directory, last) = Checkpoints(c);
            c.Guarded.Add(directory);
            c.MustName.Add("the instruction data");
            c.MustName.Add("checkpoint-0000004");
            return () => new JointTrainer(Resume(last)).Train(() => TinyTask.Model(), OtherInstructions());
        }),
        ["resume: other options"] = new(typeof(InvalidOperationException), c =>
        {
            var (directory, last) = Checkpoints(c);
            c.Guarded.Add(directory);
            c.MustName.Add("Optimizer.LearningRate: checkpoint 0.01, now 0.02");
            var options = Resume(last);
            options = options with { Optimizer = options.Optimizer with { LearningRate = 0.02 } };
            return () => new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data());
        }),
    };
}
