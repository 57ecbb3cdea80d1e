using XRight.Training;

namespace XRight.Benchmarks;

/// <summary>
/// Times training steps, wall and processor time. It receives the trainer's report after every step
/// (synchronously, on the training thread) or is told each step's times directly. The first step is the
/// warm-up and is kept apart. A step counts as undisturbed when its processor share (processor time over
/// wall time × threads) is close to the best seen: on a shared machine, a step during which other work
/// took the cores has a low share, and its time says nothing about this library.
/// </summary>
internal sealed class StepClock : IProgress<TrainingProgress>
{
    private const double UndisturbedShareOfBest = 0.85;

    private readonly List<StepTime> _steps = [];
    private readonly int _threads = global::TorchSharp.torch.get_num_threads();
    private TimeSpan _lastElapsed;
    private TimeSpan _lastCpu = Environment.CpuUsage.TotalTime;
    private bool _warmedUp;

    public Action<int>? AfterStep { get; init; }

    /// <summary>The steps after the warm-up.</summary>
    public IReadOnlyList<StepTime> Measured => _steps;

    /// <summary>The measured steps that ran undisturbed.</summary>
    public IReadOnlyList<StepTime> Undisturbed
    {
        get
        {
            if (_steps.Count == 0) return [];
            double best = _steps.Max(s => s.Share);
            return _steps.Where(s => s.Share >= UndisturbedShareOfBest * best).ToArray();
        }
    }

    public double UndisturbedSeconds => Undisturbed.Sum(s => s.Seconds);

    public void Report(TrainingProgress value)
    {
        Record((value.Elapsed - _lastElapsed).TotalSeconds);
        _lastElapsed = value.Elapsed;
        AfterStep?.Invoke(value.Step);
    }

    /// <summary>Records a step that took <paramref name="seconds"/> and ended now.</summary>
    public void Record(double seconds)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        double cpuSeconds = (cpu - _lastCpu).TotalSeconds;
        _lastCpu = cpu;
        if (!_warmedUp) _warmedUp = true;
        else _steps.Add(new StepTime(seconds, cpuSeconds, cpuSeconds / (seconds * _threads)));
    }

    /// <summary>Restarts the processor-time baseline (before a step timed with <see cref="Record"/>).</summary>
    public void StartStep() => _lastCpu = Environment.CpuUsage.TotalTime;
}

/// <summary>One step's wall time, processor time (all threads) and processor share.</summary>
internal readonly record struct StepTime(double Seconds, double CpuSeconds, double Share);
