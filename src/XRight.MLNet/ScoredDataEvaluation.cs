using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Data;
using XRight.Text;
using XRight.Training;

namespace XRight.MLNet;

/// <summary>
/// The held-out metrics read from a view scored by a post-trained model, as ML.NET's evaluators read a
/// transformed view. Instruction rows: <c>ResponseLogLikelihood</c>, <c>ResponseTokenAccuracy</c> (optional)
/// and the length of <c>ResponseTokens</c>, so f_SFT is −Σ log π / Σ tokens (the token mean) and the token
/// accuracy is token-weighted. Preference rows: <c>ChosenReward</c>, <c>RejectedReward</c> (each
/// β·(log π − log π_ref), so the model's β and reference are in them) and <c>PreferenceCorrect</c>
/// (optional): f_DPO is the mean of −log σ(r_c − r_r). A row counts for a kind when its scores are
/// finite, its <c>TokensFit</c> is true and its <c>Kind</c> names that kind (when those columns exist);
/// other rows (the other kind's rows of a combined view, rows without tokens) are left out.
/// </summary>
internal static class ScoredDataEvaluation
{
    public static HeldOutMetrics Evaluate(IDataView data, PostTrainingColumnNames names)
    {
        var source = DataSourceName.Of(data);
        var schema = data.Schema;
        var logLikelihood = Optional(schema, JointPostTrainTransformer.ResponseLogLikelihoodColumn, NumberDataViewType.Single, source);
        var tokenAccuracy = Optional(schema, JointPostTrainTransformer.ResponseTokenAccuracyColumn, NumberDataViewType.Single, source);
        var chosenReward = Optional(schema, JointPostTrainTransformer.ChosenRewardColumn, NumberDataViewType.Single, source);
        var rejectedReward = Optional(schema, JointPostTrainTransformer.RejectedRewardColumn, NumberDataViewType.Single, source);
        var correct = Optional(schema, JointPostTrainTransformer.PreferenceCorrectColumn, BooleanDataViewType.Instance, source);
        var kind = Optional(schema, names.Kind, TextDataViewType.Instance, source);
        var fits = Optional(schema, names.TokensFit, BooleanDataViewType.Instance, source);
        if (logLikelihood is null && chosenReward is null)
            throw new ArgumentException($"{source} has none of the columns a post-trained model adds ({JointPostTrainTransformer.ResponseLogLikelihoodColumn}, " +
                $"{JointPostTrainTransformer.ChosenRewardColumn}/{JointPostTrainTransformer.RejectedRewardColumn}): evaluate the output of model.Transform(data).");
        if ((chosenReward is null) != (rejectedReward is null))
            throw new ArgumentException($"{source} needs both {JointPostTrainTransformer.ChosenRewardColumn} and {JointPostTrainTransformer.RejectedRewardColumn}.");
        DataViewSchema.Column? responseTokens = null;
        if (logLikelihood is not null)
        {
            var name = PostTrainingColumnNames.TokensOf(names.Response);
            responseTokens = schema.GetColumnOrNull(name) is { Type: VectorDataViewType { ItemType: var item } } column && item == NumberDataViewType.Int32
                ? column
                : throw new ArgumentException($"{source} has {JointPostTrainTransformer.ResponseLogLikelihoodColumn} but no Int32 vector column '{name}' to count response tokens by.");
        }

        var needed = new[] { logLikelihood, tokenAccuracy, responseTokens, chosenReward, rejectedReward, correct, kind, fits }.OfType<DataViewSchema.Column>();
        using var cursor = data.GetRowCursor(needed);
        var getLogLikelihood = Getter<float>(cursor, logLikelihood);
        var getTokenAccuracy = Getter<float>(cursor, tokenAccuracy);
        var getTokens = Getter<VBuffer<int>>(cursor, responseTokens);
        var getChosen = Getter<float>(cursor, chosenReward);
        var getRejected = Getter<float>(cursor, rejectedReward);
        var getCorrect = Getter<bool>(cursor, correct);
        var getKind = Getter<ReadOnlyMemory<char>>(cursor, kind);
        var getFits = Getter<bool>(cursor, fits);

        double logProbSum = 0, tokenCount = 0, correctTokens = 0;
        double lossSum = 0, accurate = 0, marginSum = 0, chosenSum = 0, rejectedSum = 0;
        int instructionRows = 0, pairs = 0;
        float ll = 0, acc = 0, rc = 0, rr = 0;
        bool fit = true, right = false;
        VBuffer<int> tokens = default;
        ReadOnlyMemory<char> kindText = default;
        while (cursor.MoveNext())
        {
            getFits?.Invoke(ref fit);
            if (!fit) continue;
            bool? preference = null;
            if (getKind is not null)
            {
                getKind(ref kindText);
                preference = KindOf(kindText, source, cursor.Position + 1, names.Kind);
            }
            if (getLogLikelihood is not null && preference != true)
            {
                getLogLikelihood(ref ll);
                if (float.IsFinite(ll))
                {
                    getTokens!(ref tokens);
                    instructionRows++;
                    logProbSum += ll;
                    tokenCount += tokens.Length;
                    if (getTokenAccuracy is not null) { getTokenAccuracy(ref acc); correctTokens += (double)acc * tokens.Length; }
                }
            }
            if (getChosen is not null && preference != false)
            {
                getChosen(ref rc);
                getRejected!(ref rr);
                if (float.IsFinite(rc) && float.IsFinite(rr))
                {
                    double margin = (double)rc - rr;
                    if (getCorrect is not null) getCorrect(ref right); else right = rc > rr;
                    pairs++;
                    lossSum += Softplus(-margin);
                    accurate += right ? 1 : 0;
                    marginSum += margin;
                    chosenSum += rc;
                    rejectedSum += rr;
                }
            }
        }
        return new HeldOutMetrics(
            tokenCount > 0 ? -logProbSum / tokenCount : double.NaN,
            pairs > 0 ? lossSum / pairs : double.NaN,
            tokenCount > 0 && getTokenAccuracy is not null ? correctTokens / tokenCount : double.NaN,
            pairs > 0 ? accurate / pairs : double.NaN,
            pairs > 0 ? marginSum / pairs : double.NaN,
            pairs > 0 ? chosenSum / pairs : double.NaN,
            pairs > 0 ? rejectedSum / pairs : double.NaN,
            instructionRows, pairs);
    }

    // −log σ(−x) = log(1 + e^x), without overflow for large |x|.
    private static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    private static bool KindOf(ReadOnlyMemory<char> kind, string source, long row, string column)
    {
        var value = kind.Span.Trim();
        if (value.Equals(PostTrainingColumnNames.DpoKind, StringComparison.OrdinalIgnoreCase)) return true;
        if (value.Equals(PostTrainingColumnNames.SftKind, StringComparison.OrdinalIgnoreCase)) return false;
        throw new InvalidDataException($"{source}, row {row}, column '{column}': '{value}' is neither '{PostTrainingColumnNames.SftKind}' nor '{PostTrainingColumnNames.DpoKind}'.");
    }

    private static DataViewSchema.Column? Optional(DataViewSchema schema, string name, DataViewType type, string source)
    {
        if (schema.GetColumnOrNull(name) is not { } column) return null;
        return column.Type.Equals(type) ? column : throw new ArgumentException($"{source}: column '{name}' has type {column.Type}; expected {type}.");
    }

    private static ValueGetter<T>? Getter<T>(DataViewRowCursor cursor, DataViewSchema.Column? column)
        => column is { } c ? cursor.GetGetter<T>(c) : null;
}
