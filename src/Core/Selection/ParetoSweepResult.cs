using XRight.Training;

namespace XRight.Selection;

/// <summary>The outcome of <see cref="ParetoSweep.Run"/>.</summary>
/// <param name="Report">Every candidate with its metrics, the front, the ideal point and the choice (which candidates and f* were reused).</param>
/// <param name="Chosen">The chosen candidate; its <see cref="SelectionCandidate.ModelPath"/> is where its model was saved.</param>
/// <param name="Optimum">f* the candidates were trained and measured with.</param>
/// <param name="WorkingDirectory">The sweep's folder (full path).</param>
public sealed record ParetoSweepResult(SelectionReport Report, SelectionCandidate Chosen, ObjectivePair Optimum, string WorkingDirectory);
