using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XRight.IO;

namespace XRight.Evaluation;

/// <summary>
/// Readers of the benchmark files in JSON Lines (one object per line, UTF-8): MMLU rows
/// (<c>subject, question, choices[4], answer</c>), HellaSwag rows (<c>ind, activity_label, ctx_a, ctx_b,
/// endings[4], label</c>, optionally <c>split_type, source_id, query, choices</c>), XSTest prompts
/// (<c>id, prompt, type, label, focus, note</c>) and preference rows (<c>prompt, chosen</c>). Blank lines are
/// skipped; a malformed line is reported with its file and line number.
/// </summary>
public static class EvaluationData
{
    /// <summary>Reads MMLU questions.</summary>
    /// <exception cref="InvalidDataException">A line is not a valid row.</exception>
    public static IReadOnlyList<MmluQuestion> ReadMmlu(string path) => ReadLines(path, row =>
    {
        var choices = row.Strings("choices");
        int answer = row.File.Int("answer");
        if (answer < 0 || answer >= choices.Count) throw row.File.Invalid($"'answer' {answer} is not the index of one of the {choices.Count} choices.");
        return new MmluQuestion(row.String("subject"), row.String("question"), choices, answer);
    });

    /// <summary>Reads HellaSwag rows.</summary>
    /// <exception cref="InvalidDataException">A line is not a valid row.</exception>
    public static IReadOnlyList<HellaSwagItem> ReadHellaSwag(string path) => ReadLines(path, row =>
    {
        var endings = row.Strings("endings");
        int label = row.File.Int("label");
        if (label < 0 || label >= endings.Count) throw row.File.Invalid($"'label' {label} is not the index of one of the {endings.Count} endings.");
        var choices = row.File.Json["choices"] is null ? null : row.Strings("choices");
        if (choices is not null && choices.Count != endings.Count)
            throw row.File.Invalid($"'choices' has {choices.Count} entries but 'endings' has {endings.Count}.");
        return new HellaSwagItem
        {
            Ind = row.File.OptionalInt("ind") ?? 0,
            ActivityLabel = row.String("activity_label"),
            CtxA = row.String("ctx_a"),
            CtxB = row.String("ctx_b"),
            Endings = endings,
            Label = label,
            SplitType = row.File.OptionalString("split_type"),
            SourceId = row.File.OptionalString("source_id"),
            Query = row.File.OptionalString("query"),
            Choices = choices,
        };
    });

    /// <summary>Reads XSTest prompts.</summary>
    /// <exception cref="InvalidDataException">A line is not a valid row, or its label is neither <c>safe</c> nor <c>unsafe</c>.</exception>
    public static IReadOnlyList<XsTestPrompt> ReadXsTest(string path) => ReadLines(path, row =>
    {
        string label = row.String("label");
        if (label is not ("safe" or "unsafe")) throw row.File.Invalid($"'label' must be 'safe' or 'unsafe', found '{label}'.");
        return new XsTestPrompt(row.File.Int("id"), row.String("prompt"), row.String("type"), label,
            row.File.OptionalString("focus") ?? "", row.File.OptionalString("note") ?? "");
    });

    /// <summary>Reads prompts with their chosen responses from preference rows (<c>prompt</c>, <c>chosen</c>; other keys are ignored).</summary>
    /// <exception cref="InvalidDataException">A line lacks a prompt or a chosen response.</exception>
    public static IReadOnlyList<WinRateItem> ReadWinRateItems(string path) => ReadLines(path, row => new WinRateItem(row.String("prompt"), row.String("chosen")));

    /// <summary>A short hash of <paramref name="items"/> (their JSON), recorded with results so that results of different data never mix.</summary>
    internal static string Hash<T>(IReadOnlyList<T> items)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(items));
        return Convert.ToHexString(SHA256.HashData(bytes), 0, 8).ToLowerInvariant();
    }

    private static List<T> ReadLines<T>(string path, Func<Row, T> read)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The benchmark file '{path}' does not exist.", path);
        var items = new List<T>();
        int number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            items.Add(read(new Row(JsonFile.Parse(line, $"{path}:{number}"))));
        }
        return items;
    }

    private sealed class Row(JsonFile file)
    {
        public JsonFile File { get; } = file;

        public string String(string key) => File.OptionalString(key) ?? throw File.Missing(key, "a string");

        public IReadOnlyList<string> Strings(string key)
        {
            if (File.Json[key] is not JsonArray array) throw File.Missing(key, "an array of strings");
            return array.Select((node, i) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>()
                : throw File.Invalid($"'{key}'[{i}] must be a string.")).ToList();
        }
    }
}
