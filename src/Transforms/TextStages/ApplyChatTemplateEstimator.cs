using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Interop;

namespace XRight.TextStages;

/// <summary>
/// Renders conversational rows through a chat template. Nothing is learned, so <see cref="Fit"/> only checks the
/// input. Created by <c>mlContext.Transforms.Text.ApplyChatTemplate(...)</c>.
/// </summary>
public sealed class ApplyChatTemplateEstimator : IEstimator<ApplyChatTemplateTransformer>
{
    private readonly ApplyChatTemplateOptions _options;

    internal ApplyChatTemplateEstimator(ApplyChatTemplateOptions options)
    {
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validated();
    }

    /// <summary>Checks the input columns and returns the transformer.</summary>
    public ApplyChatTemplateTransformer Fit(IDataView input)
    {
        var transformer = new ApplyChatTemplateTransformer(_options);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>The input shape with the rendered columns.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var column in inputSchema)
        {
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType) continue;
            builder.AddColumn(column.Name, column.ItemType);
        }
        var added = ApplyChatTemplateTransformer_Added(builder.ToSchema());
        var names = added.Select(a => a.Name).ToHashSet();
        var columns = inputSchema.Where(c => !names.Contains(c.Name)).ToList();
        foreach (var column in added)
        {
            columns.Add(column.Type is VectorDataViewType vector
                ? MlNetBridge.ShapeColumn(column.Name, SchemaShape.Column.VectorKind.VariableVector, vector.ItemType)
                : MlNetBridge.ShapeColumn(column.Name, SchemaShape.Column.VectorKind.Scalar, column.Type));
        }
        return new SchemaShape(columns);
    }

    private DataViewSchema.DetachedColumn[] ApplyChatTemplateTransformer_Added(DataViewSchema textColumns) =>
        new ApplyChatTemplateTransformer(_options).GetOutputSchema(textColumns) is { } schema
            ? schema.Skip(textColumns.Count).Select(c => new DataViewSchema.DetachedColumn(c.Name, c.Type)).ToArray()
            : [];
}
