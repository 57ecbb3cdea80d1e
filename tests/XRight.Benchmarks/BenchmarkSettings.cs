using System.Globalization;
using XRight.Modeling;

namespace XRight.Benchmarks;

/// <summary>The command line: which sections run and how big they are. <c>--quick</c> sets small defaults first; later flags override them.</summary>
internal sealed record BenchmarkSettings
{
    public static readonly string[] AllSections = ["peak", "throughput", "ceiling", "optimizer", "strategies", "reference", "lora", "precision", "growth", "scaling", "padding", "planner", "pythia", "plans", "packing"];

    public bool Quick { get; init; }
    public IReadOnlyList<string> Sections { get; init; } = AllSections;
    public IReadOnlyList<CausalLmArchitecture> Architectures { get; init; } = [CausalLmArchitecture.GptNeoX, CausalLmArchitecture.Llama];
    public IReadOnlyList<string> Sizes { get; init; } = ["10m", "50m", "150m"];
    public IReadOnlyList<int> Lengths { get; init; } = [256, 1024];

    /// <summary>Tokens of one SFT batch in the throughput cases (a DPO batch of as many pairs runs twice that).</summary>
    public int TokensPerBatch { get; init; } = 1024;

    public double MinSeconds { get; init; } = 5;
    public int MaxSteps { get; init; } = 20;
    public IReadOnlyList<int> PeakSizes { get; init; } = [1024, 2048, 3072];
    public string StrategySize { get; init; } = "10m";
    public int StrategyLength { get; init; } = 256;
    public int StrategySteps { get; init; } = 30;

    /// <summary>Tokens of one step in the strategy comparison (SFT rows, or chosen and rejected rows of DPO pairs).</summary>
    public int StrategyTokens { get; init; } = 512;

    public int StrategyRepeats { get; init; } = 5;
    public string ReferenceSize { get; init; } = "50m";
    public string LoraSize { get; init; } = "50m";
    public string GrowthSize { get; init; } = "1m";
    public int GrowthSteps { get; init; } = 1000;
    public string ScalingSize { get; init; } = "10m";
    public IReadOnlyList<int> ScalingLengths { get; init; } = [256, 512, 1024, 2048, 4096];
    public int Threads { get; init; }

    /// <summary>Model of the planner validation grid (both architectures, LoRA and full, checkpointing on and off).</summary>
    public string PlannerSize { get; init; } = "50m";

    public IReadOnlyList<int> PlannerLengths { get; init; } = [256, 1024];

    /// <summary>Tokens per sequence of the pythia-1b-shaped ALRIGHT runs, and their steps (the first is a warm-up).</summary>
    public int PythiaLength { get; init; } = 512;

    public int PythiaSteps { get; init; } = 2;

    /// <summary>Model and batches of the packing comparison (SFT batches of 12 rows of the alpaca subset).</summary>
    public string PackingSize { get; init; } = "10m";

    public int PackingBatches { get; init; } = 4;

    /// <summary>Before each case, wait up to this long for the machine to be idle (0: do not wait).</summary>
    public int QuietWaitSeconds { get; init; } = 300;
    public string? JsonPath { get; init; }

    public static BenchmarkSettings QuickDefaults => new()
    {
        Quick = true,
        Architectures = [CausalLmArchitecture.GptNeoX],
        Sizes = ["1m", "10m"],
        Lengths = [256],
        MinSeconds = 1,
        MaxSteps = 6,
        PeakSizes = [1024, 2048],
        StrategySize = "1m",
        StrategyLength = 128,
        StrategySteps = 20,
        StrategyRepeats = 2,
        QuietWaitSeconds = 30,
        ReferenceSize = "1m",
        LoraSize = "10m",
        GrowthSteps = 300,
        ScalingSize = "1m",
        ScalingLengths = [256, 512, 1024],
        // A 1B-weight model does not belong in a smoke test.
        Sections = AllSections.Where(s => s != "pythia").ToArray(),
        PlannerSize = "1m",
        PlannerLengths = [128],
        PackingSize = "1m",
        PackingBatches = 2,
    };

    public const string Usage = """
        XRight benchmarks: training-step throughput, FLOP utilisation, strategy overheads and memory.

          dotnet run -c Release --project tests/XRight.Benchmarks [-- options]

          --quick                  small sizes and few steps (about a minute), for a smoke test
          --sections a,b,...       any of: peak, throughput, ceiling, optimizer, strategies, reference, lora, precision, growth, scaling, padding, planner, pythia, plans, packing (default: all)
          --archs neox,llama       architectures of the throughput section and the planner grid (default: both)
          --sizes 10m,50m,150m     model sizes of the throughput section (1m, 10m, 50m, 150m)
          --seq 256,1024           sequence lengths of the throughput section
          --tokens N               tokens per SFT batch in the throughput section (default 1024)
          --min-seconds S          measure each throughput case at least S seconds after its warm-up step (default 5)
          --max-steps N            at most N steps per throughput case (default 20)
          --strategy-size 10m      model of the strategy comparison; --strategy-seq 256, --strategy-tokens 512 (per step),
                                   --strategy-steps 30, --strategy-repeats 5 (rounds of all strategies in one process)
          --reference-size 50m     model of the cached-versus-live reference comparison
          --lora-size 50m          model of the LoRA-versus-full comparison and of the float32-versus-bfloat16 LoRA comparison
          --growth-size 1m         model of the memory-growth run; --growth-steps N (default 1000)
          --scaling-size 10m       model of the sequence-length sweep; --scaling-seq 256,512,...
          --planner-size 50m       model of the planner validation grid; --planner-seq 256,1024
          --pythia-seq 512         tokens per sequence of the pythia-1b-shaped ALRIGHT runs; --pythia-steps 2 (ALRIGHT draws SFT, then DPO)
          --packing-size 10m       model of the packed-against-padded SFT comparison on the alpaca subset's lengths; --packing-batches 4
          --threads N              libtorch threads (default: libtorch's choice, one per core)
          --quiet-wait S           before each case wait up to S seconds for the machine to be idle (default 300; 0: never wait)
          --json PATH              also write the JSON report to PATH
        """;

    public static BenchmarkSettings Parse(string[] args)
    {
        var s = args.Contains("--quick") ? QuickDefaults : new BenchmarkSettings();
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            if (flag == "--quick") continue;
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"Option {flag} needs a value.");
            s = flag switch
            {
                "--sections" => s with { Sections = Names(flag, Value(), AllSections) },
                "--archs" => s with { Architectures = Names(flag, Value(), ["neox", "llama"]).Select(a => a == "neox" ? CausalLmArchitecture.GptNeoX : CausalLmArchitecture.Llama).ToArray() },
                "--sizes" => s with { Sizes = Names(flag, Value(), ["1m", "10m", "50m", "150m"]) },
                "--seq" => s with { Lengths = Integers(flag, Value()) },
                "--tokens" => s with { TokensPerBatch = Integers(flag, Value())[0] },
                "--min-seconds" => s with { MinSeconds = Number(flag, Value()) },
                "--max-steps" => s with { MaxSteps = Math.Max(3, Integers(flag, Value())[0]) },
                "--strategy-size" => s with { StrategySize = Names(flag, Value(), ["1m", "10m", "50m", "150m"])[0] },
                "--strategy-seq" => s with { StrategyLength = Integers(flag, Value())[0] },
                "--strategy-steps" => s with { StrategySteps = Even(flag, Integers(flag, Value())[0]) },
                "--strategy-tokens" => s with { StrategyTokens = Integers(flag, Value())[0] },
                "--strategy-repeats" => s with { StrategyRepeats = Integers(flag, Value())[0] },
                "--reference-size" => s with { ReferenceSize = Names(flag, Value(), ["1m", "10m", "50m", "150m"])[0] },
                "--lora-size" => s with { LoraSize = Names(flag, Value(), ["1m", "10m", "50m", "150m"])[0] },
                "--growth-size" => s with { GrowthSize = Names(flag, Value(), ["1m", "10m", "50m", "150m"])[0] },
                "--growth-steps" => s with { GrowthSteps = Math.Max(100, Integers(flag, Value())[0]) },
                "--scaling-size" => s with { ScalingSize = Names(flag, Value(), ["1m", "10m", "50m", "150m"])[0] },
                "--scaling-seq" => s with { ScalingLengths = Integers(flag, Value()) },
                "--planner-size" => s with { PlannerSize = Names(flag, Value(), ["1m", "10m", "50m", "150m"])[0] },
                "--planner-seq" => s with { PlannerLengths = Integers(flag, Value()) },
                "--pythia-seq" => s with { PythiaLength = Integers(flag, Value())[0] },
                "--pythia-steps" => s with { PythiaSteps = Math.Max(2, Integers(flag, Value())[0]) },
                "--packing-size" => s with { PackingSize = Names(flag, Value(), ["1m", "10m", "50m", "150m"])[0] },
                "--packing-batches" => s with { PackingBatches = Integers(flag, Value())[0] },
                "--threads" => s with { Threads = Integers(flag, Value(), allowZero: true)[0] },
                "--quiet-wait" => s with { QuietWaitSeconds = Integers(flag, Value(), allowZero: true)[0] },
                "--json" => s with { JsonPath = Value() },
                _ => throw new ArgumentException($"Unknown option '{flag}'."),
            };
        }
        return s;
    }

    private static string[] Names(string flag, string value, IReadOnlyList<string> allowed)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).ToArray();
        var unknown = names.Where(n => !allowed.Contains(n)).ToArray();
        if (names.Length == 0 || unknown.Length > 0)
            throw new ArgumentException($"Option {flag}: expected a comma-separated list of {string.Join(", ", allowed)}, found '{value}'.");
        return names;
    }

    private static int[] Integers(string flag, string value, bool allowZero = false)
    {
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var numbers = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1).ToArray();
        if (parts.Length == 0 || numbers.Any(n => n < 0 || (n == 0 && !allowZero)))
            throw new ArgumentException($"Option {flag}: expected {(allowZero ? "non-negative" : "positive")} integers separated by commas, found '{value}'.");
        return numbers;
    }

    private static double Number(string flag, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0
            ? d : throw new ArgumentException($"Option {flag}: expected a positive number, found '{value}'.");

    private static int Even(string flag, int value) =>
        value >= 2 && value % 2 == 0 ? value : throw new ArgumentException($"Option {flag}: expected an even number of at least 2 (half DPO, half SFT for Sequential), found {value}.");
}
