using System.Text.Json;
using XRight.IO;
using XRight.Modeling;

namespace XRight.Training.Reference;

/// <summary>
/// A reference model kept in a folder (<c>reference.json</c> + the model or adapter files), and how to
/// bring it back beside a policy to score new data.
/// </summary>
public sealed record KeptReference(string Fingerprint, ReferenceModelForm Form)
{
    private const string MarkerFile = "reference.json";

    /// <summary>Reads the marker of <paramref name="folder"/>; null when the folder holds no kept reference.</summary>
    public static KeptReference? Read(string folder)
    {
        var path = Path.Combine(folder, MarkerFile);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<KeptReference>(File.ReadAllText(path))
                ?? throw new InvalidDataException($"'{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a kept-reference marker: {e.Message}", e);
        }
    }

    /// <summary>Stores <paramref name="model"/> as the reference in <paramref name="folder"/> (replacing what was there).</summary>
    internal static KeptReference Keep(string folder, string fingerprint, CausalLm model, bool policyHasAdapters, bool isInitialModel)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        ReferenceModelForm form;
        if (isInitialModel && policyHasAdapters) form = ReferenceModelForm.PolicyWithoutAdapters;
        else if (model.Lora is not null) { form = ReferenceModelForm.Adapter; model.SaveLoraAdapter(folder); }
        else { form = ReferenceModelForm.Model; model.SavePretrained(folder); }
        var kept = new KeptReference(fingerprint, form);
        AtomicFile.WriteAllText(Path.Combine(folder, MarkerFile), JsonSerializer.Serialize(kept)); // last: the folder is complete
        return kept;
    }

    /// <summary>
    /// The reference model kept in <paramref name="folder"/>, next to <paramref name="policy"/>: a new
    /// model for <see cref="ReferenceModelForm.Model"/> and <see cref="ReferenceModelForm.Adapter"/>
    /// (the policy's base weights plus the adapter), or null for
    /// <see cref="ReferenceModelForm.PolicyWithoutAdapters"/> (score with the policy's adapters disabled).
    /// </summary>
    public CausalLm? Load(string folder, CausalLm policy, Func<CausalLm> createBase)
    {
        switch (Form)
        {
            case ReferenceModelForm.PolicyWithoutAdapters:
                return null;
            case ReferenceModelForm.Model:
                return CausalLm.FromPretrained(folder, new ModelOptions { Dtype = ModelDtypeOf(policy), Device = policy.Device });
            default:
                var model = createBase();
                model.LoadLoraAdapter(folder);
                model.eval();
                return model;
        }
    }

    private static ModelDtype ModelDtypeOf(CausalLm model) => model.Dtype switch
    {
        TorchSharp.torch.ScalarType.BFloat16 => ModelDtype.BFloat16,
        TorchSharp.torch.ScalarType.Float16 => ModelDtype.Float16,
        _ => ModelDtype.Float32,
    };
}
