using XRight.Training;

namespace XRight.Benchmarks;

/// <summary>
/// Receives the trainer's report after every step (synchronously, on the training thread) and keeps the
/// duration of each step; the first step is the warm-up and is kept apart.
/// </summary>
internal sealed class StepClock : IProgress<TrainingProgress>
{
    private readonly List<double> _durations = [];
    private readonly List<double> _cpu = [];
    private TimeSpan _last;
    private TimeSpan _lastCpu = Environment.CpuUsage.TotalTime;

    public Action<int>? AfterStep { get; init; }

    public double WarmupSeconds { get; private set; }

    /// <summary>Durations of the steps after the first.</summary>
    public IReadOnlyList<double> MeasuredSeconds => _durations;

    /// <summary>Processor time this process used during each measured step (all threads together).</summary>
    public IReadOnlyList<double> MeasuredCpuSeconds => _cpu;

    public double MeasuredTotal => _durations.Sum();

    public void Report(TrainingProgress value)
    {
        double seconds = (value.Elapsed - _last).TotalSeconds;
        var cpu = Environment.CpuUsage.TotalTime;
        double cpuSeconds = (cpu - _lastCpu).TotalSeconds;
        _last = value.Elapsed;
        _lastCpu = cpu;
        if (value.Step == 1) WarmupSeconds = seconds;
        else
        {
            _durations.Add(seconds);
            _cpu.Add(cpuSeconds);
        }
        AfterStep?.Invoke(value.Step);
    }
}
