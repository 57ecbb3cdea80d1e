using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using XRight.Cli;
using XRight.Modeling;
using XRight.Text;

namespace XRight.Tests.Cli;

/// <summary>A tiny base model folder, data files and configs written by the tests, and ways to run xright on them.</summary>
internal static class CliFixture
{
    public static readonly string[] Colors = ["red", "blue", "green", "black", "white", "pink"];

    /// <summary>Writes base/ (a tiny GPT-NeoX with the byte-level tokenizer), sft.jsonl and dpo.jsonl (with other key names than XRight's columns).</summary>
    public static void WriteModelAndData(string folder, int instructions = 20, int preferences = 12)
    {
        using (var model = CausalLm.Create(CausalLmConfig.CreateGptNeoX(vocabSize: 258, hiddenSize: 16, numLayers: 1, numHeads: 2, eosTokenId: 256), new ModelOptions { Seed = 11 }))
            model.SavePretrained(Path.Combine(folder, "base"), CausalLmTokenizer.CreateByteLevel());
        File.WriteAllLines(Path.Combine(folder, "sft.jsonl"), Enumerable.Range(0, instructions)
            .Select(i => JsonSerializer.Serialize(new { question = $"Color {i % 6}?", answer = $"{Colors[i % 6]}." })));
        File.WriteAllLines(Path.Combine(folder, "dpo.jsonl"), Enumerable.Range(0, preferences)
            .Select(i => JsonSerializer.Serialize(new { prompt = $"Greet {i % 5}", chosen = "Hello!", rejected = "go away" })));
    }

    /// <summary>The config's JSON (paths relative to the config's folder); <paramref name="checkpointInterval"/> steps between checkpoints.</summary>
    public static string Config(bool sweep, int checkpointInterval = 4, int epochs = 2)
    {
        var sweepSection = sweep ? "\"sweep\": { \"strategies\": [\"alRight\"], \"lambdas\": [0.5], \"rule\": { \"kind\": \"minIdealDistance\" } }," : "";
        return $$"""
        {
          "data": {
            "instructions": { "path": "sft.jsonl", "columns": { "question": "Prompt", "answer": "Response" } },
            "preferences": { "path": "dpo.jsonl" , "columns": { "prompt": "Prompt", "chosen": "Chosen", "rejected": "Rejected" } },
            "maxLength": 32
          },
          "model": { "folder": "base" },
          "options": {
            "strategy": { "kind": "alRight", "lambda": 0.5, "epochs": {{epochs}} },
            "optimizer": { "learningRate": 0.005 },
            "batches": { "sftBatchSize": 4, "dpoBatchSize": 4 },
            "evaluation": { "interval": 4, "fraction": 0.25 },
            "checkpoints": { "interval": {{checkpointInterval}} },
            "reference": { "kind": "initialModel" },
            "runtime": { "device": "cpu", "seed": 7, "threads": 1 }
          },
          {{sweepSection}}
          "output": "out"
        }
        """;
    }

    /// <summary>Runs xright in this process; returns the exit code and what it printed.</summary>
    public static (int Code, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        int code = XRightApp.Run(args, console);
        return (code, writer.ToString());
    }

    /// <summary>The built XRight.Cli.dll beside the tests (the project reference copies it here).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "XRight.Cli.dll");

    /// <summary>Starts `dotnet XRight.Cli.dll args` with its output collected.</summary>
    public static (Process Process, StringBuilder Output) Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["COLUMNS"] = "200";
        start.Environment.Remove("SLURM_ARRAY_TASK_ID");
        start.Environment.Remove("JOB_COMPLETION_INDEX");
        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    /// <summary>Waits for a child process (at most <paramref name="seconds"/>), returning its exit code and output.</summary>
    public static (int Code, string Output) Wait((Process Process, StringBuilder Output) child, int seconds = 600)
    {
        if (!child.Process.WaitForExit(seconds * 1000))
        {
            child.Process.Kill(entireProcessTree: true);
            Assert.Fail($"xright did not finish within {seconds} s: {child.Output}");
        }
        child.Process.WaitForExit();
        lock (child.Output) return (child.Process.ExitCode, child.Output.ToString());
    }
}
