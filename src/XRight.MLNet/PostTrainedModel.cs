using TorchSharp;
using XRight.Interop;
using XRight.Modeling;
using XRight.Modeling.Generation;
using XRight.Objectives;
using XRight.Text;
using XRight.Training;
using XRight.Training.Reference;
using static TorchSharp.torch;

namespace XRight.MLNet;

/// <summary>
/// A trained policy with what it needs after training: its tokenizer, its DPO reference (to report
/// implicit rewards) and β. Saves to and loads from the binary streams of a model zip.
/// </summary>
internal sealed class PostTrainedModel : IDisposable
{
    private const string PolicyStream = "Policy.bin";
    private const string AdapterStream = "Adapter.bin";
    private const string ReferenceStream = "Reference.bin";
    private const string TokenizerStream = "Tokenizer.bin";

    private readonly object _gate = new();

    public PostTrainedModel(CausalLm policy, CausalLmTokenizer tokenizer, CausalLm? reference, KeptReference? keptReference, double beta)
    {
        Policy = policy;
        Tokenizer = tokenizer;
        Reference = reference;
        KeptReference = keptReference;
        Beta = beta;
        Policy.eval();
        Reference?.eval();
    }

    public CausalLm Policy { get; }
    public CausalLmTokenizer Tokenizer { get; }

    /// <summary>A separate reference model; null when the reference is the policy without adapters, or there is none.</summary>
    public CausalLm? Reference { get; }

    /// <summary>How the reference was kept; null when the model was trained without DPO.</summary>
    public KeptReference? KeptReference { get; }

    public double Beta { get; }

    public bool HasReference => KeptReference is not null;

    private int PadId => Policy.Config.PadTokenId ?? Tokenizer.PadTokenId;

    /// <summary>Generates one answer per prompt (one at a time: the model is not shared across threads).</summary>
    public string Generate(int[] promptIds, GenerationOptions options)
    {
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            var sequence = Policy.Generate([promptIds], options, Tokenizer)[0];
            return Tokenizer.Decode(sequence.TokenIds, skipSpecialTokens: true);
        }
    }

    /// <summary>log π(response | prompt), summed over the response tokens.</summary>
    public double LogLikelihood(int[] prompt, int[] response) => ScoreResponse(prompt, response).LogLikelihood;

    /// <summary>
    /// log π(response | prompt) summed over the response tokens, and the share of those tokens the policy
    /// ranks first (token accuracy), from one forward pass; NaN for empty token lists.
    /// </summary>
    public (double LogLikelihood, double TokenAccuracy) ScoreResponse(int[] prompt, int[] response)
    {
        lock (_gate)
        {
            var (sum, correct) = Score(Policy, prompt, response);
            return (sum, correct / response.Length);
        }
    }

    /// <summary>log π_ref(response | prompt); NaN without a reference.</summary>
    public double ReferenceLogLikelihood(int[] prompt, int[] response)
    {
        if (!HasReference) return double.NaN;
        lock (_gate)
        {
            if (Reference is not null) return Score(Reference, prompt, response).Sum;
            using var disabled = Policy.DisableLora();
            return Score(Policy, prompt, response).Sum;
        }
    }

    /// <summary>f_SFT, f_DPO and the TRL metrics on token rows, with the reference scored here.</summary>
    public HeldOutMetrics Evaluate(IReadOnlyList<TokenizedInstruction> instructions, IReadOnlyList<TokenizedPreference> preferences, int batchSize)
    {
        lock (_gate)
        {
            var dpo = new DpoLossOptions { Beta = Beta };
            ReferenceLogProbCache? cache = null;
            if (preferences.Count > 0)
            {
                if (!HasReference) throw new InvalidOperationException("This model was trained without DPO, so it has no reference to measure f_DPO against.");
                cache = new ReferenceLogProbCache("evaluation");
                if (Reference is not null) new PolicyScoring(Reference, dpo, PadId).FillReferenceCache(cache, preferences, batchSize);
                else using (Policy.DisableLora()) new PolicyScoring(Policy, dpo, PadId).FillReferenceCache(cache, preferences, batchSize);
            }
            return new PolicyScoring(Policy, dpo, PadId).Evaluate(instructions, preferences, cache, batchSize);
        }
    }

    // The summed log-probability and the number of greedy-correct tokens of one response, read in one transfer.
    private (double Sum, double Correct) Score(CausalLm model, int[] prompt, int[] response)
    {
        if (prompt.Length == 0 || response.Length == 0) return (double.NaN, double.NaN);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var batch = CausalLmBatch.Collate([(prompt, response)], PadId, model.Device);
        using var scores = ResponseLogProbs.Compute(model, batch);
        var read = cat([scores.SumLogProbs.to(ScalarType.Float64), scores.CorrectTokens.to(ScalarType.Float64)], 0).cpu().data<double>().ToArray();
        return (read[0], read[1]);
    }

    /// <summary>Writes the policy (base weights + adapter when LoRA is used), the kept reference and the tokenizer as zip streams.</summary>
    public void Save(Action<string, Action<BinaryWriter>> saveStream)
    {
        using var work = new ScratchFolder();
        var policyFolder = work.Sub("policy");
        if (Policy.Lora is not null)
        {
            Policy.SaveBasePretrained(policyFolder);
            var adapterFolder = work.Sub("adapter");
            Policy.SaveLoraAdapter(adapterFolder);
            saveStream(AdapterStream, w => FileBundle.WriteFolder(w, adapterFolder));
        }
        else
        {
            Policy.SavePretrained(policyFolder);
        }
        saveStream(PolicyStream, w => FileBundle.WriteFolder(w, policyFolder));
        if (KeptReference is not null)
        {
            var referenceFolder = work.Sub("reference");
            WriteReference(referenceFolder);
            saveStream(ReferenceStream, w => FileBundle.WriteFolder(w, referenceFolder));
        }
        saveStream(TokenizerStream, w => FileBundle.Write(w, Tokenizer.ToFiles()));
    }

    private void WriteReference(string folder)
    {
        var kept = KeptReference!;
        switch (kept.Form)
        {
            case ReferenceModelForm.PolicyWithoutAdapters:
                KeptReference.Keep(folder, kept.Fingerprint, Policy, policyHasAdapters: true, isInitialModel: true);
                break;
            default:
                KeptReference.Keep(folder, kept.Fingerprint, Reference!, policyHasAdapters: false, isInitialModel: false);
                break;
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public static PostTrainedModel Load(Func<string, Action<BinaryReader>, bool> loadStream, torch.Device device, double beta)
    {
        using var work = new ScratchFolder();
        string policyFolder = work.Sub("policy"), adapterFolder = work.Sub("adapter"), referenceFolder = work.Sub("reference");
        if (!loadStream(PolicyStream, r => FileBundle.ReadToFolder(r, policyFolder, "the policy in the model zip")))
            throw new InvalidDataException($"The model zip has no {PolicyStream}.");
        bool hasAdapter = loadStream(AdapterStream, r => FileBundle.ReadToFolder(r, adapterFolder, "the LoRA adapter in the model zip"));
        bool hasReference = loadStream(ReferenceStream, r => FileBundle.ReadToFolder(r, referenceFolder, "the reference in the model zip"));
        Dictionary<string, byte[]>? tokenizerFiles = null;
        if (!loadStream(TokenizerStream, r => tokenizerFiles = FileBundle.Read(r, "the tokenizer in the model zip")))
            throw new InvalidDataException($"The model zip has no {TokenizerStream}.");

        var options = new ModelOptions { Device = device };
        CausalLm LoadBase() => CausalLm.FromPretrained(policyFolder, options);
        var policy = LoadBase();
        CausalLm? reference = null;
        try
        {
            if (hasAdapter) policy.LoadLoraAdapter(adapterFolder);
            var kept = hasReference ? KeptReference.Read(referenceFolder) : null;
            reference = kept?.Load(referenceFolder, policy, LoadBase);
            var tokenizer = CausalLmTokenizer.FromFiles("the model zip", tokenizerFiles!);
            return new PostTrainedModel(policy, tokenizer, reference, kept, beta);
        }
        catch
        {
            policy.Dispose();
            reference?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Policy.Dispose();
        Reference?.Dispose();
    }
}
