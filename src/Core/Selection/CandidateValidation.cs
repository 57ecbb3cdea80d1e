using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace XRight.Selection;

/// <summary>Checks a sweep's candidates before anything is computed from them.</summary>
internal static class CandidateValidation
{
    /// <exception cref="ArgumentException">The first problem found, naming the candidate and the property.</exception>
    public static void Check(IReadOnlyList<SelectionCandidate> candidates, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(candidates, parameterName);
        if (candidates.Count == 0)
            throw new ArgumentException("Selection needs at least one candidate; none were given.", parameterName);

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i] ?? throw new ArgumentException($"Candidate {i} is null.", parameterName);
            if (string.IsNullOrWhiteSpace(c.Name))
                throw new ArgumentException($"Candidate {i}: Name must not be empty.", parameterName);
            if (!names.Add(c.Name))
                throw new ArgumentException($"Candidate name '{c.Name}' appears more than once; names must be unique.", parameterName);
            CheckOne(c, parameterName);
        }
    }

    private static void CheckOne(SelectionCandidate c, string parameterName)
    {
        [DoesNotReturn]
        void Fail(string message) => throw new ArgumentException($"Candidate '{c.Name}': {message}", parameterName);
        string Found(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        if (string.IsNullOrWhiteSpace(c.Strategy)) Fail("Strategy must not be empty.");
        if (c.Run is null) Fail("Run must not be null.");
        if (c.Run.Final is null) Fail("Run.Final must not be null.");
        if (c.Epochs <= 0) Fail($"Epochs must be positive; found {c.Epochs}.");

        switch (c.Lambda, c.Sequential)
        {
            case (null, null):
                Fail("expected either Lambda (a joint strategy) or Sequential (a Sequential run); found neither.");
                break;
            case ({ }, { }):
                Fail("expected either Lambda (a joint strategy) or Sequential (a Sequential run); found both.");
                break;
            case ({ } lambda, null) when !(lambda is >= 0 and <= 1):
                Fail($"Lambda must lie in [0, 1]; found {Found(lambda)}.");
                break;
            case (null, { } s) when s.DpoEpochs < 0 || s.SftEpochs < 0 || s.TotalEpochs == 0:
                Fail($"Sequential epochs must be non-negative with a positive total; found {s}.");
                break;
            case (null, { } s) when s.TotalEpochs != c.Epochs:
                Fail($"Epochs ({c.Epochs}) must equal T_DPO + T_SFT of its Sequential schedule {s}.");
                break;
        }

        if (!double.IsFinite(c.FDpo)) Fail($"FDpo must be finite; found {Found(c.FDpo)}.");
        if (!double.IsFinite(c.FSft)) Fail($"FSft must be finite; found {Found(c.FSft)}.");
        if (!(double.IsFinite(c.RuntimeSeconds) && c.RuntimeSeconds > 0))
            Fail($"RuntimeSeconds must be a positive finite number; found {Found(c.RuntimeSeconds)}.");
        if (c.PeakMemoryBytes <= 0) Fail($"PeakMemoryBytes must be positive; found {c.PeakMemoryBytes}.");
        if (c.GpuUtilizationPercent is { } u && !(u is > 0 and <= 100))
            Fail($"GpuUtilizationPercent must lie in (0, 100]; found {Found(u)}.");

        if (c.Trajectory is null) Fail("Run.Trajectory must not be null (use an empty list).");
        for (var k = 0; k < c.Trajectory.Count; k++)
        {
            var p = c.Trajectory[k];
            if (p is null) Fail($"trajectory point {k} is null.");
            if (!double.IsFinite(p.FDpo) || !double.IsFinite(p.FSft))
                Fail($"trajectory point {k} (step {p.Step}) has a non-finite objective: f_DPO = {Found(p.FDpo)}, f_SFT = {Found(p.FSft)}.");
            if (k > 0 && p.Step < c.Trajectory[k - 1].Step)
                Fail($"trajectory steps must not decrease; point {k} has step {p.Step} after step {c.Trajectory[k - 1].Step}.");
        }
    }
}
