namespace XRight.Runtime;

/// <summary>
/// Peak resident memory of this process (Linux: VmHWM from /proc/self/status, which
/// <see cref="ResetPeak"/> can reset through /proc/self/clear_refs; elsewhere the runtime's peak
/// working set, which cannot be reset). Used for the per-run peaks in trajectories and reports.
/// </summary>
public static class MemoryMeter
{
    /// <summary>Starts a new peak window where the OS allows it; returns false when the peak cannot be reset.</summary>
    public static bool ResetPeak()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Peak resident bytes since the process started or the last successful <see cref="ResetPeak"/>.</summary>
    public static long PeakResidentBytes()
    {
        if (OperatingSystem.IsLinux() && ReadStatusKilobytes("VmHWM:") is { } kb) return kb * 1024;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    /// <summary>Current resident bytes.</summary>
    public static long ResidentBytes()
    {
        if (OperatingSystem.IsLinux() && ReadStatusKilobytes("VmRSS:") is { } kb) return kb * 1024;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static long? ReadStatusKilobytes(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        return null;
    }
}
