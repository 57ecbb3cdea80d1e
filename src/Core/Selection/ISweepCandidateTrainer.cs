using XRight.Training;

namespace XRight.Selection;

/// <summary>
/// Trains one candidate of a <see cref="ParetoSweep"/> and saves its model, in whatever form the caller keeps
/// models: a Hugging Face folder (<see cref="PretrainedFolderCandidateTrainer"/>), an ML.NET model zip, …
/// </summary>
public interface ISweepCandidateTrainer
{
    /// <summary>What follows a candidate's slug in the name of its saved model: ".zip" for a file, "" for a folder.</summary>
    string ModelSuffix { get; }

    /// <summary>
    /// Trains the candidate as <see cref="SweepCandidateRun.Options"/> say (f* and checkpoints filled in),
    /// saves the trained model at <see cref="SweepCandidateRun.ModelPath"/> and returns the run's summary.
    /// </summary>
    /// <param name="run">The candidate, its options, the shared inputs and where to save the model.</param>
    /// <param name="progress">Receives the run's step reports.</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    TrainingRunSummary Train(SweepCandidateRun run, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);
}
