using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Interop;
using XRight.Text;

namespace XRight.TextStages;

/// <summary>
/// Tokenizes prompt, response, chosen and rejected text into token-id columns for causal-LM training
/// and inference. Nothing is learned; <see cref="Fit"/> checks the input. Created by
/// <c>mlContext.Transforms.Text.TokenizeForCausalLm(...)</c>.
/// </summary>
public sealed class TokenizeForCausalLmEstimator : IEstimator<TokenizeForCausalLmTransformer>
{
    private readonly CausalLmTokenizer _tokenizer;
    private readonly TokenizeForCausalLmOptions _options;

    internal TokenizeForCausalLmEstimator(CausalLmTokenizer tokenizer, TokenizeForCausalLmOptions options)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validated();
    }

    /// <summary>Checks the input columns and returns the transformer.</summary>
    public TokenizeForCausalLmTransformer Fit(IDataView input)
    {
        var transformer = new TokenizeForCausalLmTransformer(_tokenizer, _options);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>The input shape plus a token column per text column present, and the fits flag.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var textColumns = _options.Columns.TextColumns;
        var present = new List<string>();
        foreach (var name in textColumns)
        {
            var column = inputSchema.FirstOrDefault(c => c.Name == name);
            if (column.Name is null)
            {
                if (name == _options.Columns.Prompt)
                    throw new ArgumentOutOfRangeException(nameof(inputSchema), $"TokenizeForCausalLm: the input has no prompt column '{name}'.");
                continue;
            }
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"TokenizeForCausalLm: column '{name}' must be scalar text, but is {column.ItemType}.");
            present.Add(name);
        }
        var spans = inputSchema.FirstOrDefault(c => c.Name == _options.Columns.ResponseTargetSpans);
        bool masked = spans.Name is not null && present.Contains(_options.Columns.Response);
        var added = present.Select(PostTrainingColumnNames.TokensOf).Append(_options.Columns.TokensFit).Append(_options.Columns.PromptTruncated)
            .Concat(masked ? [_options.Columns.ResponseLossMask] : []).ToHashSet();
        var columns = inputSchema.Where(c => !added.Contains(c.Name)).ToList();
        foreach (var name in present)
            columns.Add(MlNetBridge.ShapeColumn(PostTrainingColumnNames.TokensOf(name), SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Int32));
        columns.Add(MlNetBridge.ShapeColumn(_options.Columns.TokensFit, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance));
        columns.Add(MlNetBridge.ShapeColumn(_options.Columns.PromptTruncated, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance));
        if (masked) columns.Add(MlNetBridge.ShapeColumn(_options.Columns.ResponseLossMask, SchemaShape.Column.VectorKind.VariableVector, BooleanDataViewType.Instance));
        return new SchemaShape(columns);
    }
}
