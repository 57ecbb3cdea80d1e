using Microsoft.ML;
using XRight.Data;

namespace XRight.Samples;

/// <summary>The quick start's data: the embedded synthetic task (written to and read back from Parquet), or the user's files.</summary>
internal static class QuickStartData
{
    public static (IDataView Instructions, IDataView Preferences) Load(MLContext ml, QuickStartOptions options, string output)
    {
        if (options.Instructions is { } sftFile && options.Preferences is { } dpoFile)
            return (SampleData.Read(ml, sftFile, ["Prompt", "Response"]), SampleData.Read(ml, dpoFile, ["Prompt", "Chosen", "Rejected"]));

        var (instructions, preferences) = SyntheticStyleTask.Generate(options.Seed);
        var folder = Directory.CreateDirectory(Path.Combine(output, "data")).FullName;
        var sftPath = Path.Combine(folder, "instructions.parquet");
        var dpoPath = Path.Combine(folder, "preferences.parquet");
        ml.Data.SaveAsParquet(ml.Data.LoadFromEnumerable(instructions), sftPath);
        ml.Data.SaveAsParquet(ml.Data.LoadFromEnumerable(preferences), dpoPath);
        return (ml.Data.LoadFromParquet(sftPath), ml.Data.LoadFromParquet(dpoPath));
    }

    public static IEnumerable<string> DemoPrompts(QuickStartOptions options)
        => options.Instructions is null
            ? ["What is the color of a banana?", "Tell me the sound of a cow.", "Name the number of legs of a spider.", "A duck: what sound?"]
            : ["Give three tips for staying healthy.", "What is the capital of France?"];
}
