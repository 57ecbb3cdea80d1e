using XRight.Training;

namespace XRight.Benchmarks;

/// <summary>
/// Deterministic token rows. Step cost does not depend on which ids are used, only on lengths, so the
/// ids are random; the prompt takes a quarter of each row, as in typical instruction data.
/// </summary>
internal static class SyntheticRows
{
    public const int Eos = 2;

    /// <summary>Instruction rows of exactly <paramref name="length"/> tokens (no padding in any batch).</summary>
    public static TokenizedInstruction[] Instructions(int count, int length, int vocab, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int prompt = PromptLength(length);
            return new TokenizedInstruction(Ids(random, prompt, vocab), Response(random, length - prompt, vocab));
        }).ToArray();
    }

    /// <summary>Preference rows whose chosen and rejected rows are both exactly <paramref name="length"/> tokens.</summary>
    public static TokenizedPreference[] Preferences(int count, int length, int vocab, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int prompt = PromptLength(length);
            return new TokenizedPreference(Ids(random, prompt, vocab), Response(random, length - prompt, vocab), Response(random, length - prompt, vocab));
        }).ToArray();
    }

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
