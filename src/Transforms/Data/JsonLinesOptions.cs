using Microsoft.ML.Data;

namespace XRight.Data;

/// <summary>How <see cref="DataOperationsCatalogExtensions.LoadFromJsonLines"/> turns JSON objects into columns.</summary>
public sealed class JsonLinesOptions
{
    /// <summary>
    /// The keys to read, in column order; every one must be present in every object. Default (null):
    /// every key of the first object, in the order written there. Other keys are ignored.
    /// </summary>
    public IReadOnlyList<string>? Columns { get; set; }

    /// <summary>
    /// Renames keys to column names, e.g. <c>instruction → Prompt</c>, <c>output → Response</c>.
    /// Keys not listed keep their name exactly as written in the file. Default: none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ColumnNames { get; set; }

    /// <summary>
    /// Column types by key: <see cref="TextDataViewType"/>, <see cref="NumberDataViewType.Int64"/>,
    /// <see cref="NumberDataViewType.Double"/> or <see cref="BooleanDataViewType"/>. A key not listed
    /// takes its type from its first non-null value: a string is text, a number is Int64 when
    /// integral and Double otherwise, true/false is Boolean; a key that is null in every object is
    /// text. Later values must fit that type (give the type here when, say, the first value of a
    /// numeric key happens to be integral but others are not). Default: none.
    /// </summary>
    public IReadOnlyDictionary<string, DataViewType>? ColumnTypes { get; set; }

    /// <summary>
    /// Keys read as text holding each value's JSON, whatever the value is: a list of
    /// <c>{"role", "content"}</c> messages (the <c>messages</c> of chat data, TRL's conversational <c>prompt</c>,
    /// <c>chosen</c> and <c>rejected</c>) becomes its JSON list, which <c>ApplyChatTemplate</c> reads; null becomes
    /// empty text. Other keys holding lists or objects are refused. Default: none.
    /// </summary>
    public IReadOnlyList<string>? JsonTextColumns { get; set; }

    /// <summary>
    /// True: every cursor streams the file again and nothing but the current row is kept in memory.
    /// False: the whole file is parsed and checked once, when the view is made, and kept in memory.
    /// Default: true.
    /// </summary>
    public bool Streaming { get; set; } = true;

    /// <summary>The default of <see cref="MaxLineBytes"/>: 16 MiB.</summary>
    public const int DefaultMaxLineBytes = 16 * 1024 * 1024;

    /// <summary>
    /// The longest line read, in bytes (before decoding; a line's <c>\r</c> counts). A longer line is refused
    /// with an <see cref="InvalidDataException"/> naming the file, the line and this limit, after at most this
    /// many bytes of it were buffered, so one hostile line cannot take the memory. Training rows are far
    /// shorter: even a 32k-token row is well under 1 MiB. Default: <see cref="DefaultMaxLineBytes"/>.
    /// </summary>
    public int MaxLineBytes { get; set; } = DefaultMaxLineBytes;

    internal void Validate()
    {
        if (MaxLineBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxLineBytes), MaxLineBytes, $"JsonLinesOptions.MaxLineBytes must be at least 1, found {MaxLineBytes}.");
    }
}
