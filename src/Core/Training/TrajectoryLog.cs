using System.Globalization;
using System.Text;
using System.Text.Json;
using XRight.IO;

namespace XRight.Training;

/// <summary>Reads and writes trajectories as CSV and JSON.</summary>
public static class TrajectoryLog
{
    /// <summary>CSV with a header row; invariant culture; "both" for Mix steps.</summary>
    public static string ToCsv(IEnumerable<TrajectoryPoint> points)
    {
        var text = new StringBuilder("step,f_dpo,f_sft,stepped,wall_seconds,peak_memory_bytes\n");
        foreach (var p in points)
            text.Append(CultureInfo.InvariantCulture, $"{p.Step},{p.FDpo:R},{p.FSft:R},{Name(p.Stepped)},{p.WallSeconds:R},{p.PeakMemoryBytes}\n");
        return text.ToString();
    }

    /// <summary>Writes <see cref="ToCsv"/> atomically.</summary>
    public static void SaveCsv(IEnumerable<TrajectoryPoint> points, string path) => AtomicFile.WriteAllText(path, ToCsv(points));

    /// <summary>JSON array of points.</summary>
    public static string ToJson(IEnumerable<TrajectoryPoint> points) => JsonSerializer.Serialize(points.ToArray(), JsonFile.IndentedWithNamedFloats);

    /// <summary>Writes <see cref="ToJson"/> atomically.</summary>
    public static void SaveJson(IEnumerable<TrajectoryPoint> points, string path) => AtomicFile.WriteAllText(path, ToJson(points));

    /// <summary>Reads a JSON trajectory.</summary>
    public static IReadOnlyList<TrajectoryPoint> FromJson(string json)
        => JsonSerializer.Deserialize<TrajectoryPoint[]>(json, JsonFile.IndentedWithNamedFloats) ?? throw new InvalidDataException("A trajectory must be a JSON array.");

    private static string Name(ObjectiveKind? stepped) => stepped switch
    {
        ObjectiveKind.Sft => "sft",
        ObjectiveKind.Dpo => "dpo",
        _ => "both",
    };
}
