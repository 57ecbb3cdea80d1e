using System.Diagnostics;
using System.Globalization;

namespace XRight.Benchmarks;

/// <summary>
/// On a shared machine, other work steals the cores libtorch's threads expect to have, and a parallel
/// region waits for its slowest thread. Before each case this waits (up to a limit) until the machine is
/// idle, so that the figures describe the library rather than the neighbours.
/// </summary>
internal static class QuietMachine
{
    /// <summary>Busy share of all processors over one second, from /proc/stat; NaN where that is unavailable.</summary>
    public static double BusyShare()
    {
        var first = Sample();
        if (first is null) return double.NaN;
        Thread.Sleep(1000);
        var second = Sample()!.Value;
        double total = second.Total - first.Value.Total, idle = second.Idle - first.Value.Idle;
        return total <= 0 ? double.NaN : 1 - idle / total;
    }

    /// <summary>Waits until the busy share falls to <paramref name="threshold"/> or <paramref name="limit"/> passes; returns the last share seen.</summary>
    public static double WaitForIdle(double threshold, TimeSpan limit, TextWriter log)
    {
        var watch = Stopwatch.StartNew();
        double busy = BusyShare();
        bool waited = false;
        while (busy > threshold && watch.Elapsed < limit)
        {
            if (!waited) log.Write($"(machine {busy:P0} busy, waiting) ");
            waited = true;
            Thread.Sleep(2000);
            busy = BusyShare();
        }
        if (waited) log.Write($"(waited {watch.Elapsed.TotalSeconds:F0} s, {busy:P0} busy) ");
        return busy;
    }

    private static (double Total, double Idle)? Sample()
    {
        if (!File.Exists("/proc/stat")) return null;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal ...: idle time is idle + iowait.
        return (fields.Take(8).Sum(), fields[3] + fields[4]);
    }
}
