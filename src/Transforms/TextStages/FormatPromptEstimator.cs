using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Interop;
using XRight.Text;

namespace XRight.TextStages;

/// <summary>
/// Applies a <see cref="PromptTemplate"/> to a text column. Nothing is learned, so <see cref="Fit"/>
/// only checks the input. Created by <c>mlContext.Transforms.Text.FormatPrompt(...)</c>.
/// </summary>
public sealed class FormatPromptEstimator : IEstimator<FormatPromptTransformer>
{
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly PromptTemplate _template;

    internal FormatPromptEstimator(string outputColumnName, string inputColumnName, PromptTemplate template)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentNullException.ThrowIfNull(template);
        _outputColumnName = outputColumnName;
        _inputColumnName = inputColumnName;
        _template = template;
    }

    /// <summary>Checks that the input column exists and is text, and returns the transformer.</summary>
    public FormatPromptTransformer Fit(IDataView input)
    {
        var transformer = new FormatPromptTransformer(_outputColumnName, _inputColumnName, _template);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>The input shape plus the formatted text column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = inputSchema.FirstOrDefault(c => c.Name == _inputColumnName);
        if (input.Name is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"FormatPrompt: the input has no column '{_inputColumnName}'.");
        if (input.Kind != SchemaShape.Column.VectorKind.Scalar || input.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"FormatPrompt: column '{_inputColumnName}' must be scalar text, but is {input.ItemType}{(input.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}.");
        var columns = inputSchema.Where(c => c.Name != _outputColumnName).ToList();
        columns.Add(MlNetBridge.ShapeColumn(_outputColumnName, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance));
        return new SchemaShape(columns);
    }
}
