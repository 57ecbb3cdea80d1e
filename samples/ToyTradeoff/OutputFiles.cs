using XRight.Toy;

namespace ToyTradeoff;

/// <summary>Writes output files through a temporary name, so an interrupted run never leaves a half file.</summary>
internal static class OutputFiles
{
    private const int CsvEvery = 10;   // 20,000 steps per run: every 10th step (and the last) is plenty for plots

    public static void WriteTrajectory(string path, ToyRun run)
    {
        WriteAtomically(path, writer =>
        {
            int dimension = run.Final.Theta.Count;
            writer.WriteLine("step,stepped,f_dpo,f_sft," + string.Join(",", Enumerable.Range(1, dimension).Select(i => $"theta_{i}")));
            foreach (var p in run.Points.Where((p, i) => p.Step % CsvEvery == 0 || i == run.Points.Count - 1))
            {
                string stepped = p.Stepped switch { null => p.Step == 0 ? "" : "both", var kind => kind.ToString()!.ToUpperInvariant() };
                writer.WriteLine($"{p.Step},{stepped},{p.FDpo:R},{p.FSft:R},{string.Join(",", p.Theta.Select(v => v.ToString("R")))}");
            }
        });
    }

    public static void WriteAtomically(string path, Action<StreamWriter> write)
    {
        string temporary = path + ".tmp";
        using (var writer = new StreamWriter(temporary))
            write(writer);
        File.Move(temporary, path, overwrite: true);
    }

    public static void WriteAtomically(string path, byte[] bytes)
    {
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
