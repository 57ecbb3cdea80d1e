using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using XRight.Interop;
using XRight.Text;

namespace XRight.TextStages;

/// <summary>
/// Writes <c>template.Apply(prompt)</c> into the output column. An empty or whitespace-only prompt
/// stays empty, so data validation downstream still sees (and skips) it.
/// </summary>
public sealed class FormatPromptTransformer : ITransformer
{
    internal const string LoaderSignature = "XRightFormatPrompt";
    private const string ModelSignature = "XRFMTPRM";
    private const uint Version = 0x00010001;

    internal FormatPromptTransformer(string outputColumnName, string inputColumnName, PromptTemplate template)
    {
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Template = template;
    }

    /// <summary>The column written.</summary>
    public string OutputColumnName { get; }

    /// <summary>The prompt column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The template applied.</summary>
    public PromptTemplate Template { get; }

    /// <summary>Always true: each row maps on its own.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the formatted column.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new Mapper(this, inputSchema).OutputSchema;

    /// <summary>The row mapper, for prediction engines.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>The input with the formatted column appended, computed lazily.</summary>
    public IDataView Transform(IDataView input) => new MappedDataView(input, new Mapper(this, input.Schema));

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        var writer = MlNetBridge.BeginSave(ctx, VersionInfo());
        writer.Write(OutputColumnName);
        writer.Write(InputColumnName);
        writer.Write(Template.ToString());
    }

    internal static void Register(ComponentCatalog catalog) => MlNetBridge.RegisterModelLoader(catalog, typeof(FormatPromptTransformer),
        "XRight prompt template", LoaderSignature, typeof(FormatPromptTransformer).GetMethod(nameof(Load), BindingFlags.NonPublic | BindingFlags.Static)!);

    private static object VersionInfo() => MlNetBridge.CreateVersionInfo(ModelSignature, Version, LoaderSignature, typeof(FormatPromptTransformer));

    private static FormatPromptTransformer Load(IHostEnvironment environment, object loadContext)
    {
        var reader = MlNetBridge.BeginLoad(loadContext, VersionInfo());
        var output = reader.ReadString();
        var input = reader.ReadString();
        var template = PromptTemplate.Parse(reader.ReadString());
        return new FormatPromptTransformer(output, input, template);
    }

    private sealed class Mapper : AddedColumnsMapper
    {
        private readonly FormatPromptTransformer _parent;
        private readonly DataViewSchema.Column _input;

        public Mapper(FormatPromptTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema, [new DataViewSchema.DetachedColumn(parent.OutputColumnName, TextDataViewType.Instance)])
        {
            _parent = parent;
            _input = inputSchema.GetColumnOrNull(parent.InputColumnName)
                ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"FormatPrompt: the input has no column '{parent.InputColumnName}'.");
            if (_input.Type is not TextDataViewType)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"FormatPrompt: column '{parent.InputColumnName}' must be text, but is {_input.Type}.");
        }

        protected override IEnumerable<DataViewSchema.Column> InputsOf(int added) => [_input];

        protected override Delegate?[] CreateGetters(DataViewRow input, bool[] active)
        {
            var source = input.GetGetter<ReadOnlyMemory<char>>(_input);
            ReadOnlyMemory<char> prompt = default;
            ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> value) =>
            {
                source(ref prompt);
                value = prompt.Span.IsWhiteSpace() ? ReadOnlyMemory<char>.Empty : _parent.Template.Apply(prompt.ToString()).AsMemory();
            };
            return [getter];
        }
    }
}
