using XRight.Training;

namespace XRight.Benchmarks;

/// <summary>
/// Deterministic token rows. Step cost does not depend on which ids are used, only on lengths, so the
/// ids are random; the prompt takes a quarter of each row, as in typical instruction data.
/// </summary>
internal static class SyntheticRows
{
    public const int Eos = 2;

    /// <summary>
    /// Instruction rows of exactly <paramref name="length"/> tokens (no padding in any batch), or with
    /// <paramref name="mixed"/> every other row half as long (so every batch of two or more is right-padded).
    /// </summary>
    public static TokenizedInstruction[] Instructions(int count, int length, int vocab, int seed, bool mixed = false)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            int rowLength = RowLength(i, length, mixed);
            int prompt = PromptLength(rowLength);
            return new TokenizedInstruction(Ids(random, prompt, vocab), Response(random, rowLength - prompt, vocab));
        }).ToArray();
    }

    /// <summary>Preference rows whose chosen and rejected rows are both <paramref name="length"/> tokens (every other pair half that with <paramref name="mixed"/>).</summary>
    public static TokenizedPreference[] Preferences(int count, int length, int vocab, int seed, bool mixed = false)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            int rowLength = RowLength(i, length, mixed);
            int prompt = PromptLength(rowLength);
            return new TokenizedPreference(Ids(random, prompt, vocab), Response(random, rowLength - prompt, vocab), Response(random, rowLength - prompt, vocab));
        }).ToArray();
    }

    /// <summary>The lengths of the <paramref name="count"/> rows <see cref="Instructions"/> and <see cref="Preferences"/> make.</summary>
    public static IEnumerable<int> RowLengths(int count, int length, bool mixed) => Enumerable.Range(0, count).Select(i => RowLength(i, length, mixed));

    private static int RowLength(int index, int length, bool mixed) => mixed && index % 2 == 1 ? length / 2 : length;

    /// <summary>Instruction rows with lengths uniform in [<paramref name="minLength"/>, <paramref name="maxLength"/>].</summary>
    public static TokenizedInstruction[] VariableInstructions(int count, int minLength, int maxLength, int vocab, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int length = random.Next(minLength, maxLength + 1);
            int prompt = PromptLength(length);
            return new TokenizedInstruction(Ids(random, prompt, vocab), Response(random, length - prompt, vocab));
        }).ToArray();
    }

    /// <summary>Preference rows with prompt + response lengths uniform in [<paramref name="minLength"/>, <paramref name="maxLength"/>].</summary>
    public static TokenizedPreference[] VariablePreferences(int count, int minLength, int maxLength, int vocab, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int chosen = random.Next(minLength, maxLength + 1), rejected = random.Next(minLength, maxLength + 1);
            int prompt = PromptLength(Math.Min(chosen, rejected));
            return new TokenizedPreference(Ids(random, prompt, vocab), Response(random, chosen - prompt, vocab), Response(random, rejected - prompt, vocab));
        }).ToArray();
    }

    /// <summary>Response tokens of a row of <paramref name="length"/> (what the head scores).</summary>
    public static int ScoredTokens(int length) => length - PromptLength(length);

    private static int PromptLength(int length) => Math.Max(1, length / 4);

    private static int[] Ids(Random random, int count, int vocab) => Enumerable.Range(0, count).Select(_ => random.Next(3, vocab)).ToArray();

    private static int[] Response(Random random, int count, int vocab)
    {
        var ids = Ids(random, count, vocab);
        ids[^1] = Eos;
        return ids;
    }
}
