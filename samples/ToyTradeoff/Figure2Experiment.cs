using XRight;
using XRight.Toy;
using XRight.Training;
using XRight.Training.Strategies;

namespace ToyTradeoff;

/// <summary>The 2-D toy: every method from the same start, compared by distance to the ideal point.</summary>
internal static class Figure2Experiment
{
    public static void Run(double beta, int sftTarget, string label, string output)
    {
        var problem = PaperToys.Figure2(beta, sftTarget);
        var ideal = problem.EstimateIdealPoint(PaperToys.Figure2Start);
        double lambda = PaperToys.Figure2Lambda;
        int steps = PaperToys.Figure2JointSteps;

        // File-name key and strategy; every method starts from the same θ0 with the same optimizer.
        (string Key, IJointStrategy Strategy)[] methods =
        [
            ("sequential", new SequentialStrategy([
                new(ObjectiveKind.Dpo, PaperToys.Figure2SequentialStepsPerObjective, PaperToys.Figure2StopBelow),
                new(ObjectiveKind.Sft, PaperToys.Figure2SequentialStepsPerObjective, PaperToys.Figure2StopBelow)])),
            ("alright", new AlrightStrategy(lambda, steps, seed: 7)),
            ("maxright", new MaxRightStrategy(lambda, steps, ideal)),
            ("maxright-k10", new MemoryEfficientMaxRightStrategy(lambda, steps, ideal, evaluationInterval: 10)),
            ("mix", new MixStrategy(lambda, steps)),
        ];
        var runs = methods.Select(m => ToyRunner.Run(problem, m.Strategy, PaperToys.Figure2Start, PaperToys.Figure2Optimizer)).ToList();

        Console.WriteLine();
        Console.WriteLine($"{label}, β = {beta}: θ_ref = [{string.Join(", ", problem.ReferenceTheta.Select(v => v.ToString("F4")))}], " +
                          $"ideal point (f*_DPO, f*_SFT) = ({ideal.Dpo:G3}, {ideal.Sft:G3})");
        var table = new TextTable("method", "steps (DPO/SFT)", "final f_DPO", "final f_SFT", "ideal distance");
        foreach (var run in runs)
        {
            table.Add(run.Strategy, StepSplit(run), $"{run.Final.FDpo:F4}", $"{run.Final.FSft:F4}", $"{run.Final.IdealDistance(ideal):F4}");
        }
        table.Print();

        string stem = $"figure2-target-{(sftTarget == 0 ? "y" : "yprime")}-beta-{beta:0.###}";
        for (int i = 0; i < runs.Count; i++) OutputFiles.WriteTrajectory(Path.Combine(output, $"{stem}-{methods[i].Key}.csv"), runs[i]);
        TrajectoryPlot.ObjectiveSpace(Path.Combine(output, $"{stem}-objective-space.png"), $"{label}, β = {beta}", runs, ideal);
    }

    private static string StepSplit(ToyRun run)
    {
        int dpo = run.StepsOn(ObjectiveKind.Dpo), sft = run.StepsOn(ObjectiveKind.Sft);
        return dpo + sft == run.Final.Step ? $"{dpo}/{sft}" : $"{run.Final.Step} on both";
    }
}
