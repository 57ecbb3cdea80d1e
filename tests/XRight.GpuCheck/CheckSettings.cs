using System.Globalization;

namespace XRight.GpuCheck;

/// <summary>The command line of the check program.</summary>
internal sealed record CheckSettings
{
    public const string Usage = """
        XRight GPU check: CPU-versus-device equality, Hugging Face folders for a Python comparison, and timed
        bf16 SFT/DPO steps of a pythia-1b-shaped model. Writes one JSON file.

          --device cpu|cuda|cuda:N   device to check against the CPU reference (default cpu: the CPU self-check,
                                     where float32 must match exactly)
          --out PATH                 the JSON file (default gpu-check.json)
          --hf-out DIR               folder for the Hugging Face folders, adapters and logits (default: <out>.hf)
          --shared DIR               the shared assets folder holding models/stories260k (default: XRIGHT_SHARED_DIR,
                                     else the 'shared' folder beside the repository)
          --interop-out DIR          folder for the interoperability suite (default: <out>.interop)
          --sections LIST            comma-separated: equality,hf,training,interop (default the first three;
                                     interop writes tiny models of every family, their adapters and outputs,
                                     for tools/interop/check.py)
          --quick                    a tiny training shape, so everything finishes on a CPU in seconds
          --peak-tflops X            the device's dense bf16 peak for MFU (default 790, an H200)
          --sft-batch N              SFT rows per step (default 12)
          --dpo-batch N              DPO pairs per step (default 4)
          --seq N                    tokens per sequence (default 512)
          --warmup N                 untimed steps before the timed ones (default 3)
          --steps N                  timed steps; the median is reported (default 10)
          --lr X                     learning rate of the timed steps (default 1e-5)
        Exit code: 0 when every section ran and every check passed, 1 otherwise, 2 for a usage error.
        """;

    public string Device { get; init; } = "cpu";
    public string OutPath { get; init; } = "gpu-check.json";
    public string? HfOut { get; init; }
    public string? InteropOut { get; init; }
    public string? SharedDir { get; init; }
    public IReadOnlySet<string> Sections { get; init; } = new HashSet<string> { "equality", "hf", "training" };
    public bool Quick { get; init; }
    public double PeakTflops { get; init; } = 790;
    public int SftBatch { get; init; } = 12;
    public int DpoBatch { get; init; } = 4;
    public int Sequence { get; init; } = 512;
    public int Warmup { get; init; } = 3;
    public int Steps { get; init; } = 10;
    public double LearningRate { get; init; } = 1e-5;

    /// <summary>The folder of the Hugging Face outputs.</summary>
    public string HfFolder => Path.GetFullPath(HfOut ?? Path.ChangeExtension(OutPath, null) + ".hf");

    /// <summary>The folder of the interoperability suite.</summary>
    public string InteropFolder => Path.GetFullPath(InteropOut ?? Path.ChangeExtension(OutPath, null) + ".interop");

    public bool Runs(string section) => Sections.Contains(section);

    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static CheckSettings Parse(string[] args)
    {
        var s = new CheckSettings();
        bool sftBatchSet = false, dpoBatchSet = false, seqSet = false, warmupSet = false, stepsSet = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"Option {args[i]} needs a value.");
            switch (args[i])
            {
                case "--device": s = s with { Device = Value() }; break;
                case "--out": s = s with { OutPath = Value() }; break;
                case "--hf-out": s = s with { HfOut = Value() }; break;
                case "--interop-out": s = s with { InteropOut = Value() }; break;
                case "--shared": s = s with { SharedDir = Value() }; break;
                case "--sections":
                    var sections = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
                    var unknown = sections.Except(["equality", "hf", "training", "interop"]).ToArray();
                    if (unknown.Length > 0) throw new ArgumentException($"Unknown section(s): {string.Join(", ", unknown)}.");
                    s = s with { Sections = sections };
                    break;
                case "--quick": s = s with { Quick = true }; break;
                case "--peak-tflops": s = s with { PeakTflops = Positive(args[i], Value()) }; break;
                case "--sft-batch": s = s with { SftBatch = PositiveInt(args[i], Value()) }; sftBatchSet = true; break;
                case "--dpo-batch": s = s with { DpoBatch = PositiveInt(args[i], Value()) }; dpoBatchSet = true; break;
                case "--seq": s = s with { Sequence = PositiveInt(args[i], Value()) }; seqSet = true; break;
                case "--warmup": s = s with { Warmup = NonNegativeInt(args[i], Value()) }; warmupSet = true; break;
                case "--steps": s = s with { Steps = PositiveInt(args[i], Value()) }; stepsSet = true; break;
                case "--lr": s = s with { LearningRate = Positive(args[i], Value()) }; break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }
        if (s.Quick)
            s = s with
            {
                SftBatch = sftBatchSet ? s.SftBatch : 2,
                DpoBatch = dpoBatchSet ? s.DpoBatch : 1,
                Sequence = seqSet ? s.Sequence : 32,
                Warmup = warmupSet ? s.Warmup : 1,
                Steps = stepsSet ? s.Steps : 3,
            };
        if (s.Sequence < 4) throw new ArgumentException("--seq must be at least 4 (a prompt and a response).");
        return s;
    }

    private static double Positive(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)
            ? v : throw new ArgumentException($"{name} must be a positive number, found '{text}'.");

    private static int PositiveInt(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v : throw new ArgumentException($"{name} must be a positive integer, found '{text}'.");

    private static int NonNegativeInt(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v : throw new ArgumentException($"{name} must be a non-negative integer, found '{text}'.");
}
