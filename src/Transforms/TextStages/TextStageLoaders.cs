using Microsoft.ML.Runtime;

namespace XRight.TextStages;

/// <summary>Registers the model loaders of the text stages in an ML.NET component catalog.</summary>
internal static class TextStageLoaders
{
    public static void Register(ComponentCatalog catalog)
    {
        FormatPromptTransformer.Register(catalog);
        TokenizeForCausalLmTransformer.Register(catalog);
        ApplyChatTemplateTransformer.Register(catalog);
    }
}
