using XRight.Runtime;

namespace XRight.Modeling.Generation;

/// <summary>Picks the next token from one row of logits: greedy, or temperature and nucleus (top-p) sampling.</summary>
internal static class TokenSampler
{
    public static int Next(ReadOnlySpan<float> logits, double temperature, double topP, SeededRandom random) =>
        temperature == 0 ? ArgMax(logits) : Draw(Distribution(logits, temperature, topP), random.NextDouble());

    /// <summary>The first index of the largest logit.</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }

    /// <summary>
    /// softmax(logits / temperature) restricted to the nucleus (the most likely tokens, in order,
    /// while the probability mass before each is below <paramref name="topP"/>) and renormalised.
    /// </summary>
    public static double[] Distribution(ReadOnlySpan<float> logits, double temperature, double topP)
    {
        var probabilities = new double[logits.Length];
        double max = double.NegativeInfinity;
        foreach (var z in logits) max = Math.Max(max, z / temperature);
        double total = 0;
        for (int i = 0; i < logits.Length; i++) total += probabilities[i] = Math.Exp(logits[i] / temperature - max);
        for (int i = 0; i < probabilities.Length; i++) probabilities[i] /= total;
        if (topP >= 1) return probabilities;

        var order = Enumerable.Range(0, probabilities.Length).ToArray();
        Array.Sort(order, (a, b) => probabilities[a] != probabilities[b] ? probabilities[b].CompareTo(probabilities[a]) : a.CompareTo(b));
        double kept = 0;
        var nucleus = new double[probabilities.Length];
        foreach (int i in order)
        {
            if (kept >= topP) break;
            nucleus[i] = probabilities[i];
            kept += probabilities[i];
        }
        for (int i = 0; i < nucleus.Length; i++) nucleus[i] /= kept;
        return nucleus;
    }

    /// <summary>The index where the running sum of <paramref name="probabilities"/> first exceeds <paramref name="u"/> ∈ [0, 1).</summary>
    public static int Draw(double[] probabilities, double u)
    {
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] == 0) continue;
            cumulative += probabilities[i];
            last = i;
            if (u < cumulative) return i;
        }
        return last; // u within rounding of 1
    }
}
