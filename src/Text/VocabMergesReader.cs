using System.Text;

namespace XRight.Text;

/// <summary>Reads the GPT-2 layout of a byte-level BPE: <c>vocab.json</c> and <c>merges.txt</c>.</summary>
internal static class VocabMergesReader
{
    /// <exception cref="InvalidDataException">A file is malformed.</exception>
    public static ByteLevelBpeDefinition Read(TokenizerSource source, bool addPrefixSpace)
    {
        var vocabPath = source.PathOf(TokenizerSource.VocabJson);
        using var document = JsonCursor.Parse(source.Read(TokenizerSource.VocabJson), vocabPath);
        var vocabulary = TokenizerJsonReader.ReadVocabulary(JsonCursor.Root(document, vocabPath));
        return new ByteLevelBpeDefinition
        {
            Origin = $"{vocabPath} with {TokenizerSource.MergesTxt}",
            Vocabulary = vocabulary,
            Merges = ReadMerges(source.Read(TokenizerSource.MergesTxt), source.PathOf(TokenizerSource.MergesTxt)),
            AddedTokens = [],
            SplitRules = [SplitRule.Gpt2()],
            AddPrefixSpace = addPrefixSpace,
        };
    }

    // One "left right" merge per line in priority order; "#version" lines and blank lines carry none.
    private static List<string> ReadMerges(byte[] bytes, string path)
    {
        var merges = new List<string>();
        var lines = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith("#version", StringComparison.Ordinal)) continue;
            if (!TokenizerJsonReader.IsMerge(line))
                throw new InvalidDataException($"{path}: line {i + 1} must be two tokens separated by one space, found \"{line}\"");
            merges.Add(line);
        }
        return merges;
    }
}
