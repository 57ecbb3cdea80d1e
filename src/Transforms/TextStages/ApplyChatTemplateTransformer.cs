using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using XRight.Data;
using XRight.Interop;
using XRight.Text;

namespace XRight.TextStages;

/// <summary>
/// Renders conversational rows into the prompt and response text the tokenizer stage reads, through the model's
/// chat template or a built-in prompt template (<see cref="ChatFormat"/>). Instruction data (a
/// <see cref="PostTrainingColumnNames.Messages"/> column) gets Prompt and Response, and with assistant-only loss the
/// <see cref="PostTrainingColumnNames.ResponseTargetSpans"/> of its assistant turns; preference data (Chosen and
/// Rejected, with or without Prompt) gets its Prompt, Chosen and Rejected replaced by their rendered text. Rows with
/// only a Prompt column (prediction: a conversation awaiting the answer) get the Prompt rendered with the generation
/// prompt and no Response column, so a fitted post-training model generates it. An empty
/// input leaves its outputs empty, so data validation downstream skips and counts the row; a malformed conversation
/// is an <see cref="InvalidDataException"/> naming the row and column.
/// </summary>
public sealed class ApplyChatTemplateTransformer : ITransformer
{
    internal const string LoaderSignature = "XRightApplyChatTemplate";
    private const string ModelSignature = "XRCHATTM";
    private const uint Version = 0x00010001;

    internal ApplyChatTemplateTransformer(ApplyChatTemplateOptions options)
    {
        Options = options;
        Format = options.Format;
    }

    /// <summary>The options.</summary>
    public ApplyChatTemplateOptions Options { get; }

    private ChatFormat Format { get; }

    /// <summary>Always true: each row maps on its own.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the rendered columns.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new Mapper(this, inputSchema, null).OutputSchema;

    /// <summary>The row mapper, for prediction engines.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema, null);

    /// <summary>The input with the rendered columns, computed lazily.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var source = DataSourceName.Of(input);
        return new MappedDataView(input, new Mapper(this, input.Schema,
            row => RowOrigin.Locate(input, row) ?? string.Create(CultureInfo.InvariantCulture, $"{source}, row {row}")));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        var writer = MlNetBridge.BeginSave(ctx, VersionInfo());
        var c = Options.Columns;
        writer.Write((int)Options.InputFormat);
        writer.Write(Options.AssistantOnlyLoss);
        foreach (var name in new[] { c.Messages, c.Prompt, c.Response, c.Chosen, c.Rejected, c.ResponseTargetSpans }) writer.Write(name);
        writer.Write(Options.ChatTemplate is not null);
        if (Options.ChatTemplate is { } template)
        {
            writer.Write(template.Source);
            writer.Write(template.SpecialTokens.Count);
            foreach (var (role, token) in template.SpecialTokens) { writer.Write(role); writer.Write(token); }
            writer.Write(template.AdditionalSpecialTokens.Count);
            foreach (var token in template.AdditionalSpecialTokens) writer.Write(token);
        }
        else
        {
            writer.Write(Options.PromptTemplate.ToString());
        }
    }

    internal static void Register(ComponentCatalog catalog) => MlNetBridge.RegisterModelLoader(catalog, typeof(ApplyChatTemplateTransformer),
        "XRight chat template", LoaderSignature, typeof(ApplyChatTemplateTransformer).GetMethod(nameof(Load), BindingFlags.NonPublic | BindingFlags.Static)!);

    private static object VersionInfo() => MlNetBridge.CreateVersionInfo(ModelSignature, Version, LoaderSignature, typeof(ApplyChatTemplateTransformer));

    private static ApplyChatTemplateTransformer Load(IHostEnvironment environment, object loadContext)
    {
        var reader = MlNetBridge.BeginLoad(loadContext, VersionInfo());
        var format = (ConversationFormat)reader.ReadInt32();
        var assistantOnly = reader.ReadBoolean();
        var columns = new PostTrainingColumnNames
        {
            Messages = reader.ReadString(), Prompt = reader.ReadString(), Response = reader.ReadString(),
            Chosen = reader.ReadString(), Rejected = reader.ReadString(), ResponseTargetSpans = reader.ReadString(),
        };
        ChatTemplate? chatTemplate = null;
        var promptTemplate = PromptTemplate.UserAssistant;
        if (reader.ReadBoolean())
        {
            var source = reader.ReadString();
            var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = reader.ReadInt32(); i > 0; i--) tokens[reader.ReadString()] = reader.ReadString();
            var additional = new List<string>();
            for (int i = reader.ReadInt32(); i > 0; i--) additional.Add(reader.ReadString());
            chatTemplate = ChatTemplate.Parse(source, tokens, additional);
        }
        else
        {
            promptTemplate = PromptTemplate.Parse(reader.ReadString());
        }
        return new ApplyChatTemplateTransformer(new ApplyChatTemplateOptions
        {
            ChatTemplate = chatTemplate, PromptTemplate = promptTemplate, InputFormat = format, AssistantOnlyLoss = assistantOnly, Columns = columns,
        }.Validated());
    }

    /// <summary>The rendered texts of one row (empty where the input was empty) and the target spans of an instruction row.</summary>
    internal sealed record RenderedRow(string[] Texts, int[] Spans);

    /// <summary>Renders an instruction row from its conversation text.</summary>
    internal RenderedRow RenderInstruction(string conversation, Func<string, string> where)
    {
        if (string.IsNullOrWhiteSpace(conversation)) return new RenderedRow(["", ""], []);
        var messagesWhere = where(Options.Columns.Messages);
        return Guarded(messagesWhere, () =>
        {
            var messages = Options.InputFormat == ConversationFormat.Messages
                ? ChatMessageJson.Parse(conversation, messagesWhere)
                : HhTranscript.Parse(conversation, messagesWhere).Messages;
            var text = Format.Instruction(messages, Options.AssistantOnlyLoss, messagesWhere);
            return new RenderedRow([text.Prompt, text.Response], text.Targets.SelectMany(s => new[] { s.Start, s.End }).ToArray());
        });
    }

    /// <summary>Renders a prompt-only row: the conversation so far, with the generation prompt.</summary>
    internal RenderedRow RenderPromptOnly(string conversation, Func<string, string> where)
    {
        if (string.IsNullOrWhiteSpace(conversation)) return new RenderedRow([""], []);
        var promptWhere = where(Options.Columns.Prompt);
        return Guarded(promptWhere, () => new RenderedRow([Format.Render(PromptTurns(conversation, promptWhere), addGenerationPrompt: true, promptWhere)], []));
    }

    /// <summary>Renders a preference row: prompt (may be empty, then implicit), chosen and rejected.</summary>
    internal RenderedRow RenderPreference(string prompt, string chosen, string rejected, Func<string, string> where)
    {
        var c = Options.Columns;
        bool hasPrompt = !string.IsNullOrWhiteSpace(prompt);
        if (string.IsNullOrWhiteSpace(chosen) || string.IsNullOrWhiteSpace(rejected))
        {
            // Leave the blank answer blank for validation to count; render what can be rendered.
            var promptText = hasPrompt ? Guarded(where(c.Prompt), () => Format.Render(PromptTurns(prompt, where(c.Prompt)), addGenerationPrompt: true, where(c.Prompt))) : "";
            return new RenderedRow([promptText, "", ""], []);
        }
        var rowWhere = where("");
        return Guarded(rowWhere, () =>
        {
            IReadOnlyList<ChatMessage>? promptTurns = hasPrompt ? PromptTurns(prompt, where(c.Prompt)) : null;
            IReadOnlyList<ChatMessage> chosenTurns, rejectedTurns;
            if (Options.InputFormat == ConversationFormat.Messages)
            {
                chosenTurns = ChatMessageJson.Parse(chosen, where(c.Chosen));
                rejectedTurns = ChatMessageJson.Parse(rejected, where(c.Rejected));
            }
            else if (hasPrompt)
            {
                chosenTurns = [new ChatMessage("assistant", chosen.Trim())];
                rejectedTurns = [new ChatMessage("assistant", rejected.Trim())];
            }
            else
            {
                chosenTurns = HhTranscript.Parse(chosen, where(c.Chosen)).Messages;
                rejectedTurns = HhTranscript.Parse(rejected, where(c.Rejected)).Messages;
            }
            var (p, ch, rj) = ChatFormat.SplitPreference(promptTurns, chosenTurns, rejectedTurns, rowWhere);
            var text = Format.Preference(p, ch, rj, rowWhere);
            return new RenderedRow([text.Prompt, text.Chosen, text.Rejected], []);
        });
    }

    private IReadOnlyList<ChatMessage> PromptTurns(string prompt, string where) => Options.InputFormat == ConversationFormat.Messages
        ? ChatMessageJson.Parse(prompt, where)
        : HhTranscript.Parse(prompt, where).Messages;

    // Data faults become InvalidDataException naming the row; the template's own errors are named as such.
    private static T Guarded<T>(string where, Func<T> render)
    {
        try
        {
            return render();
        }
        catch (FormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        catch (ChatTemplateException e)
        {
            throw new InvalidDataException($"{where}: the chat template failed: {e.Message}", e);
        }
    }

    private sealed class Mapper : AddedColumnsMapper
    {
        private readonly ApplyChatTemplateTransformer _parent;
        private readonly Func<long, string> _locate;
        private readonly RowKind _kind;
        private readonly DataViewSchema.Column[] _inputs;

        public Mapper(ApplyChatTemplateTransformer parent, DataViewSchema inputSchema, Func<long, string>? locate)
            : base(inputSchema, AddedColumns(parent.Options, inputSchema))
        {
            _parent = parent;
            _locate = locate ?? (row => string.Create(CultureInfo.InvariantCulture, $"row {row}"));
            (_kind, _inputs) = Inputs(parent.Options.Columns, inputSchema);
        }

        internal enum RowKind { Instruction, Preference, PromptOnly }

        // Instruction data has a messages column; preference data chosen and rejected (and perhaps a prompt); rows to
        // answer only a prompt.
        internal static (RowKind Kind, DataViewSchema.Column[] Inputs) Inputs(PostTrainingColumnNames c, DataViewSchema schema)
        {
            DataViewSchema.Column? Text(string name)
            {
                if (schema.GetColumnOrNull(name) is not { } column) return null;
                return column.Type is TextDataViewType ? column
                    : throw new ArgumentOutOfRangeException(nameof(schema), $"ApplyChatTemplate: column '{name}' must be text, but is {column.Type}.");
            }
            var messages = Text(c.Messages);
            var chosen = Text(c.Chosen);
            var rejected = Text(c.Rejected);
            if (messages is not null && (chosen is not null || rejected is not null))
                throw new ArgumentOutOfRangeException(nameof(schema), $"ApplyChatTemplate: the input has both a '{c.Messages}' column (instruction data) and '{c.Chosen}'/'{c.Rejected}' (preference data); apply the stage to each data set before CombineData.");
            if (messages is { } m) return (RowKind.Instruction, [m]);
            if (chosen is null && rejected is null && Text(c.Prompt) is { } only) return (RowKind.PromptOnly, [only]);
            if (chosen is not { } ch || rejected is not { } rj)
                throw new ArgumentOutOfRangeException(nameof(schema), $"ApplyChatTemplate: the input has neither a '{c.Messages}' column (instruction data) nor both '{c.Chosen}' and '{c.Rejected}' (preference data) nor only a '{c.Prompt}' column (prompts to answer).");
            return Text(c.Prompt) is { } prompt ? (RowKind.Preference, [prompt, ch, rj]) : (RowKind.Preference, [ch, rj]);
        }

        internal static DataViewSchema.DetachedColumn[] AddedColumns(ApplyChatTemplateOptions options, DataViewSchema schema)
        {
            var c = options.Columns;
            var text = TextDataViewType.Instance;
            var kind = Inputs(c, schema).Kind;
            if (kind == RowKind.PromptOnly) return [new(c.Prompt, text)];
            if (kind == RowKind.Preference)
                return [new(c.Prompt, text), new(c.Chosen, text), new(c.Rejected, text)];
            return options.AssistantOnlyLoss
                ? [new(c.Prompt, text), new(c.Response, text), new(c.ResponseTargetSpans, new VectorDataViewType(NumberDataViewType.Int32))]
                : [new(c.Prompt, text), new(c.Response, text)];
        }

        protected override IEnumerable<DataViewSchema.Column> InputsOf(int added) => _inputs;

        protected override Delegate?[] CreateGetters(DataViewRow input, bool[] active)
        {
            var getters = _inputs.Select(input.GetGetter<ReadOnlyMemory<char>>).ToArray();
            long cachedPosition = -1;
            RenderedRow row = new([], []);
            ReadOnlyMemory<char> value = default;
            var c = _parent.Options.Columns;

            RenderedRow Current()
            {
                if (cachedPosition == input.Position) return row;
                var texts = new string[getters.Length];
                for (int i = 0; i < texts.Length; i++) { getters[i](ref value); texts[i] = value.ToString(); }
                long number = input.Position + 1;
                string Where(string column) => column.Length == 0 ? _locate(number) : $"{_locate(number)}, column '{column}'";
                row = _kind == RowKind.Instruction ? _parent.RenderInstruction(texts[0], Where)
                    : _kind == RowKind.PromptOnly ? _parent.RenderPromptOnly(texts[0], Where)
                    : texts.Length == 3 ? _parent.RenderPreference(texts[0], texts[1], texts[2], Where)
                    : _parent.RenderPreference("", texts[0], texts[1], Where);
                cachedPosition = input.Position;
                return row;
            }

            var result = new Delegate?[AddedCount];
            for (int i = 0; i < AddedCount; i++)
            {
                int index = i;
                if (index == 2 && _kind == RowKind.Instruction)
                {
                    result[i] = (ValueGetter<VBuffer<int>>)((ref VBuffer<int> spans) =>
                    {
                        var values = Current().Spans;
                        var editor = VBufferEditor.Create(ref spans, values.Length);
                        values.CopyTo(editor.Values);
                        spans = editor.Commit();
                    });
                }
                else
                {
                    result[i] = (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> text) => text = Current().Texts[index].AsMemory());
                }
            }
            return result;
        }
    }
}
