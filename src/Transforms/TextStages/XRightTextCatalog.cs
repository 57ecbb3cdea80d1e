using Microsoft.ML.Runtime;
using XRight.Interop;
using XRight.Text;
using XRight.TextStages;

// Catalog extensions live in ML.NET's namespace, as ML.NET's own extension packages do, so that
// mlContext.Transforms.Text.FormatPrompt(...) needs no extra using directive.
namespace Microsoft.ML;

/// <summary>XRight's text stages on <c>mlContext.Transforms.Text</c>.</summary>
public static class XRightTextCatalog
{
    /// <summary>
    /// Applies a prompt template: <paramref name="outputColumnName"/> = template(<paramref name="inputColumnName"/>).
    /// With the defaults the Prompt column is replaced by its templated form.
    /// </summary>
    /// <param name="catalog">mlContext.Transforms.Text.</param>
    /// <param name="outputColumnName">The column written. Default: Prompt.</param>
    /// <param name="template">The template. Default: <see cref="PromptTemplate.UserAssistant"/> (the reference code's format).</param>
    /// <param name="inputColumnName">The column read. Default: the output column.</param>
    public static FormatPromptEstimator FormatPrompt(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName = "Prompt", PromptTemplate? template = null, string? inputColumnName = null)
    {
        var environment = MlNetBridge.EnvironmentOf(catalog);
        TextStageLoaders.Register(environment.ComponentCatalog);
        return new FormatPromptEstimator(outputColumnName, inputColumnName ?? outputColumnName, template ?? PromptTemplate.UserAssistant);
    }

    /// <summary>
    /// Renders conversational rows (a Messages column of instruction data, or the Prompt/Chosen/Rejected of preference
    /// data, as JSON message lists or HH transcripts) into prompt and response text through the model's chat template
    /// or a built-in prompt template; see <see cref="ApplyChatTemplateOptions"/>. Apply it to each data set before
    /// <c>CombineData</c>.
    /// </summary>
    public static ApplyChatTemplateEstimator ApplyChatTemplate(this TransformsCatalog.TextTransforms catalog, ApplyChatTemplateOptions options)
    {
        var environment = MlNetBridge.EnvironmentOf(catalog);
        TextStageLoaders.Register(environment.ComponentCatalog);
        return new ApplyChatTemplateEstimator(options);
    }

    /// <summary>Renders conversational rows through <paramref name="template"/> (null: <see cref="PromptTemplate.UserAssistant"/>).</summary>
    public static ApplyChatTemplateEstimator ApplyChatTemplate(this TransformsCatalog.TextTransforms catalog, ChatTemplate? template = null,
        ConversationFormat inputFormat = ConversationFormat.Messages, bool assistantOnlyLoss = false)
        => catalog.ApplyChatTemplate(new ApplyChatTemplateOptions { ChatTemplate = template, InputFormat = inputFormat, AssistantOnlyLoss = assistantOnlyLoss });

    /// <summary>
    /// Tokenizes the Prompt, Response, Chosen and Rejected columns present in the input into
    /// <c>&lt;column&gt;Tokens</c> Int32 vectors for causal-LM training, within <paramref name="maxLength"/> tokens.
    /// </summary>
    public static TokenizeForCausalLmEstimator TokenizeForCausalLm(this TransformsCatalog.TextTransforms catalog,
        CausalLmTokenizer tokenizer, int maxLength = 512)
        => catalog.TokenizeForCausalLm(tokenizer, new TokenizeForCausalLmOptions { MaxLength = maxLength });

    /// <summary>Tokenizes with explicit options (column names, EOS policy, truncation).</summary>
    public static TokenizeForCausalLmEstimator TokenizeForCausalLm(this TransformsCatalog.TextTransforms catalog,
        CausalLmTokenizer tokenizer, TokenizeForCausalLmOptions options)
    {
        var environment = MlNetBridge.EnvironmentOf(catalog);
        TextStageLoaders.Register(environment.ComponentCatalog);
        return new TokenizeForCausalLmEstimator(tokenizer, options);
    }

    /// <summary>
    /// Registers the loaders of XRight's text stages in this catalog, so <c>mlContext.Model.Load</c>
    /// can read a model zip that contains them. ML.NET keeps loaders per MLContext and a third-party
    /// assembly cannot register itself, so call this on a fresh MLContext before loading (using the
    /// stages on that context registers them too).
    /// </summary>
    public static ComponentCatalog RegisterXRightTextStages(this ComponentCatalog catalog)
    {
        TextStageLoaders.Register(catalog);
        return catalog;
    }
}
