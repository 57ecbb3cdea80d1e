namespace XRight.Evaluation;

/// <summary>The harness's choice rules for multiple-choice tasks (<c>lm_eval/api/task.py</c>, <c>process_results</c>).</summary>
public static class MultipleChoiceMetrics
{
    /// <summary>
    /// The index of the largest value, the first one on ties (NumPy's <c>argmax</c>, which also returns the
    /// first NaN when there is one). This is the prediction of <c>acc</c>.
    /// </summary>
    /// <exception cref="ArgumentException">There are no values.</exception>
    public static int ArgMax(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("There are no values to choose from.", nameof(values));
        int best = 0;
        for (int i = 0; i < values.Count; i++)
        {
            if (double.IsNaN(values[i])) return i;
            if (values[i] > values[best]) best = i;
        }
        return best;
    }

    /// <summary>
    /// The prediction of <c>acc_norm</c>: the argmax of each log-likelihood divided by the length of its
    /// choice in characters (Python's <c>len</c>: code points, not bytes or tokens, and without the space
    /// that delimits the continuation).
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static int NormalizedArgMax(IReadOnlyList<double> logLikelihoods, IReadOnlyList<string> choices)
    {
        ArgumentNullException.ThrowIfNull(logLikelihoods);
        ArgumentNullException.ThrowIfNull(choices);
        if (logLikelihoods.Count != choices.Count)
            throw new ArgumentException($"There are {logLikelihoods.Count} log-likelihoods for {choices.Count} choices.", nameof(choices));
        return ArgMax(logLikelihoods.Select((ll, i) => ll / CharacterLength(choices[i])).ToArray());
    }

    /// <summary>A choice's length as <c>acc_norm</c> counts it: Python's <c>len</c>, in code points.</summary>
    public static int CharacterLength(string choice)
    {
        ArgumentNullException.ThrowIfNull(choice);
        return PythonText.Length(choice);
    }
}
