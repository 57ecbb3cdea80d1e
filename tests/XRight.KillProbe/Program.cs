// Usage: XRight.KillProbe <checkpoint-folder|-> <weights-out> [--hold-at-step N] [--hold-in-checkpoint N]
// Trains the trainer tests' tiny task (ALRIGHT with LoRA dropout, one thread). With a checkpoint folder it
// writes a checkpoint after every step and resumes from the newest one there; with "-" it trains straight
// through without checkpoints. At the end it writes every weight (names in ordinal order, raw bytes) to
// <weights-out>. The hold options make the process print a line and block, so the test can kill it at a known
// moment: in the progress report of step N (mid-run), or inside the write of checkpoint N, once its files are
// in the temporary folder and before the rename (mid-checkpoint).
using System.Runtime.InteropServices;
using XRight;
using XRight.Training;
using XRight.Training.Checkpoints;
using XRight.Tests.Training;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: XRight.KillProbe <checkpoint-folder|-> <weights-out> [--hold-at-step N] [--hold-in-checkpoint N]");
    return 2;
}
string? checkpoints = args[0] == "-" ? null : args[0];
string output = args[1];
int holdAtStep = Option("--hold-at-step"), holdInCheckpoint = Option("--hold-in-checkpoint");

int Option(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : -1;
}

static void Hold(string line)
{
    Console.WriteLine(line);
    Console.Out.Flush();
    Thread.Sleep(Timeout.Infinite);
}

if (holdInCheckpoint >= 0)
{
    var name = CheckpointStore.FolderName(holdInCheckpoint);
    CheckpointStore.BeforeRenameForTests = temporary =>
    {
        if (Path.GetFileName(temporary).StartsWith("." + name + ".", StringComparison.Ordinal)) Hold("holding in " + temporary);
    };
}

var options = TinyTask.Options(JointStrategy.AlRight);
options = options with
{
    Lora = new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.1 },
    Runtime = options.Runtime with { Threads = 1 },
};
string? resumeFrom = null;
if (checkpoints is not null)
{
    resumeFrom = CheckpointStore.List(checkpoints).LastOrDefault();
    options = options with { Checkpoints = new CheckpointOptions { Directory = checkpoints, Interval = 1, Keep = 2, ResumeFrom = resumeFrom } };
}
Console.WriteLine(resumeFrom is null ? "starting" : "resuming from " + Path.GetFileName(resumeFrom));
var progress = new Steps(step =>
{
    Console.WriteLine("step " + step);
    Console.Out.Flush();
    if (step == holdAtStep) Hold("holding at step " + step);
});
var result = new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data(), progress);
using (var model = result.Model)
using (var file = File.Create(output))
using (var writer = new BinaryWriter(file))
{
    foreach (var (name, tensor) in model.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal))
    {
        writer.Write(name);
        var values = tensor.data<float>().ToArray();
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
Console.WriteLine($"done after {result.Summary.Steps} steps");
return 0;

/// <summary>Reports each training step synchronously, on the training thread.</summary>
internal sealed class Steps(Action<int> onStep) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.Phase == "training") onStep(value.Step);
    }
}
