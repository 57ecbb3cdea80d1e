using System.Globalization;

namespace XRight.Training.Strategies;

/// <summary>Argument checks and number formatting shared by the strategies.</summary>
internal static class StrategyArguments
{
    public static double Lambda(double lambda, string name = "lambda")
    {
        if (!(lambda >= 0 && lambda <= 1))
            throw new ArgumentOutOfRangeException(name, lambda, $"Strategy option '{name}' must be in [0, 1]; found {Format(lambda)}.");
        return lambda;
    }

    public static int Positive(int value, string name)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(name, value, $"Strategy option '{name}' must be at least 1; found {value}.");
        return value;
    }

    public static ObjectivePair Optimum(ObjectivePair optimum, string name)
    {
        if (!double.IsFinite(optimum.Dpo))
            throw new ArgumentOutOfRangeException(name, optimum.Dpo, $"Strategy option '{name}.Dpo' (f*_DPO) must be finite; found {Format(optimum.Dpo)}.");
        if (!double.IsFinite(optimum.Sft))
            throw new ArgumentOutOfRangeException(name, optimum.Sft, $"Strategy option '{name}.Sft' (f*_SFT) must be finite; found {Format(optimum.Sft)}.");
        return optimum;
    }

    public static void Step(int step, int totalSteps)
    {
        if (step < 0 || step >= totalSteps)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Step must be in [0, {totalSteps}); found {step}.");
    }

    // The strategy (not its name) is passed so that the name is only formatted when a check fails.
    public static ObjectivePair Values(ObjectivePair? values, int step, IJointStrategy strategy)
    {
        if (values is not { } v)
            throw new ArgumentNullException(nameof(values), $"{strategy.Name} needs both objective values to decide step {step}.");
        if (!double.IsFinite(v.Dpo) || !double.IsFinite(v.Sft))
            throw new ArgumentException($"{strategy.Name} received a non-finite objective value at step {step}: f_DPO = {Format(v.Dpo)}, f_SFT = {Format(v.Sft)}.", nameof(values));
        return v;
    }

    public static double Loss(double batchLoss, ObjectiveKind objective, IJointStrategy strategy)
    {
        if (!double.IsFinite(batchLoss))
            throw new ArgumentException($"{strategy.Name} received a non-finite {objective} batch loss: {Format(batchLoss)}.", nameof(batchLoss));
        return batchLoss;
    }

    public static void StateShape(StrategyState state, int randomWords, int values, IJointStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(state.Random, nameof(state));
        ArgumentNullException.ThrowIfNull(state.Values, nameof(state));
        if (state.Random.Length != randomWords || state.Values.Length != values)
            throw new ArgumentException(
                $"{strategy.Name} state must have {randomWords} generator words and {values} values; found {state.Random.Length} and {state.Values.Length}. Was it saved by another strategy?",
                nameof(state));
    }

    public static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
