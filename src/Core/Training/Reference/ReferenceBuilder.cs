using System.Security.Cryptography;
using System.Text;
using XRight.Modeling;
using XRight.Training.Strategies;

namespace XRight.Training.Reference;

/// <summary>
/// Makes the DPO reference's log-probabilities for every preference row (training and held-out) once,
/// per <see cref="ReferenceOptions"/>, reusing a cache file when it holds them for the same reference.
/// </summary>
internal static class ReferenceBuilder
{
    public static ReferenceLogProbCache Build(JointTrainerOptions options, Func<CausalLm> createModel,
        IReadOnlyList<TokenizedPreference> trainRows, IReadOnlyList<TokenizedPreference> allRows, int padId,
        TorchSharp.torch.Device device, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        var reference = options.Reference;
        switch (reference.Kind)
        {
            case ReferenceModelKind.InitialModel:
            {
                // The base before LoRA is attached: with B = 0 the adapters change nothing.
                using var model = createModel();
                return Fill(model, "initial/" + ModelFingerprint.Of(model), options, allRows, padId, isInitialModel: true);
            }
            case ReferenceModelKind.Folder:
            {
                using var model = CausalLm.FromPretrained(reference.Folder!, new ModelOptions { Device = device });
                return Fill(model, "folder/" + ModelFingerprint.Of(model), options, allRows, padId, isInitialModel: false);
            }
            case ReferenceModelKind.TrainedOnChosen:
            {
                using var model = createModel();
                var fingerprint = "chosen-sft/" + Hash(ModelFingerprint.Of(model), OptionsFingerprint.OfReferenceTraining(options), RowsHash(trainRows));
                var cache = ReferenceLogProbCache.LoadOrEmpty(reference.CacheFile, fingerprint);
                bool modelKept = reference.ModelFolder is null || KeptReference.Read(reference.ModelFolder)?.Fingerprint == fingerprint;
                if (cache.Missing(allRows).Count == 0 && modelKept) return cache;
                JointTrainer.AttachLora(model, options);
                TrainOnChosen(model, options, trainRows, padId, progress, cancellation);
                return Fill(model, cache, options, allRows, padId, isInitialModel: false);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(options), reference.Kind, "This reference kind is built during the run, not before it.");
        }
    }

    /// <summary>The SFT-stage reference: the policy as it is now.</summary>
    public static ReferenceLogProbCache FromCurrentPolicy(CausalLm policy, JointTrainerOptions options, IReadOnlyList<TokenizedPreference> allRows, int padId)
        => Fill(policy, "sft-stage/" + ModelFingerprint.Of(policy), options, allRows, padId, isInitialModel: false);

    private static ReferenceLogProbCache Fill(CausalLm model, string fingerprint, JointTrainerOptions options, IReadOnlyList<TokenizedPreference> rows, int padId, bool isInitialModel)
        => Fill(model, ReferenceLogProbCache.LoadOrEmpty(options.Reference.CacheFile, fingerprint), options, rows, padId, isInitialModel);

    // Scores the rows the cache lacks, saves the cache file, and keeps the model where asked.
    private static ReferenceLogProbCache Fill(CausalLm model, ReferenceLogProbCache cache, JointTrainerOptions options, IReadOnlyList<TokenizedPreference> rows, int padId, bool isInitialModel)
    {
        int before = cache.Count;
        new PolicyScoring(model, options.Dpo, padId).FillReferenceCache(cache, rows, options.Evaluation.BatchSize);
        if (options.Reference.CacheFile is { } file && cache.Count != before) cache.Save(file);
        if (options.Reference.ModelFolder is { } folder && KeptReference.Read(folder)?.Fingerprint != cache.Fingerprint)
            KeptReference.Keep(folder, cache.Fingerprint, model, policyHasAdapters: options.Lora is not null, isInitialModel);
        return cache;
    }

    // The paper's reference: SFT on the chosen responses of the preference training data.
    private static void TrainOnChosen(CausalLm model, JointTrainerOptions options, IReadOnlyList<TokenizedPreference> rows, int padId,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        var chosen = rows.Select(r => new TokenizedInstruction(r.Prompt, r.Chosen)).ToArray();
        int steps = StepBudget.Of(options.Batches, chosen.Length, preferenceRows: 0).Sft(options.Reference.TrainingEpochs);
        var run = new TrainingRun(new TrainingRunSetup
        {
            Options = options,
            Model = model,
            Strategy = new SequentialStrategy([new SequentialPhase(ObjectiveKind.Sft, steps)]),
            Phase = "reference",
            PadTokenId = padId,
            Instructions = chosen,
            EvaluateDuringRun = false,
            Progress = progress,
            LogName = "reference",
            Cancellation = cancellation,
        });
        run.Execute(resumeFrom: null);
    }

    private static string RowsHash(IEnumerable<TokenizedPreference> rows)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var row in rows)
            foreach (var ids in (int[][])[row.Prompt, row.Chosen, row.Rejected])
            {
                hash.AppendData(BitConverter.GetBytes(ids.Length));
                hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(ids.AsSpan()));
            }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static string Hash(params string[] parts) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u0001', parts))));
}
