using Microsoft.ML;
using XRight.Data.Validation;

using XRight.Text;

namespace XRight.Data;

/// <summary>
/// Reads instruction (SFT) and preference (DPO) examples from any data view — the Parquet and JSON
/// Lines loaders, a Microsoft.Data.Analysis DataFrame, a transformed view — and leaves out rows that
/// cannot be trained on: an empty or whitespace prompt or response, or chosen equal to rejected.
/// </summary>
public static class PostTrainingDataReader
{
    /// <summary>Reads prompt/response pairs.</summary>
    /// <param name="data">A view with text columns named by <paramref name="columns"/>.</param>
    /// <param name="columns">Column names; null for Prompt and Response.</param>
    /// <param name="options">Strict or lenient validation; null for lenient.</param>
    /// <returns>The kept examples in view order and the validation report.</returns>
    /// <exception cref="ArgumentException">A column is missing or is not text; the message names the data source and the column.</exception>
    /// <exception cref="InvalidDataException">Strict mode only: a row that would be skipped; the message names source, column and row number.</exception>
    public static ValidatedExamples<InstructionExample> ReadInstructions(IDataView data, PostTrainingColumnNames? columns = null, DataValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        columns = Checked(columns ?? new PostTrainingColumnNames(), preferences: false);
        options ??= new DataValidationOptions();

        using var rows = new TextRowReader(data, [columns.Prompt, columns.Response]);
        var tally = new ValidationTally(rows.Source, options.Strict);
        var kept = new List<InstructionExample>();
        while (rows.MoveNext())
        {
            ReadOnlyMemory<char> prompt = rows[0], response = rows[1];
            var issue = RowChecks.Instruction(prompt, response, columns);
            if (tally.Accept(rows.RowNumber, issue)) kept.Add(new InstructionExample(prompt.ToString(), response.ToString()));
        }
        return new ValidatedExamples<InstructionExample>(kept, tally.ToReport());
    }

    /// <summary>Reads prompt/chosen/rejected triples.</summary>
    /// <param name="data">A view with text columns named by <paramref name="columns"/>.</param>
    /// <param name="columns">Column names; null for Prompt, Chosen and Rejected.</param>
    /// <param name="options">Strict or lenient validation; null for lenient.</param>
    /// <returns>The kept examples in view order and the validation report.</returns>
    /// <exception cref="ArgumentException">A column is missing or is not text; the message names the data source and the column.</exception>
    /// <exception cref="InvalidDataException">Strict mode only: a row that would be skipped; the message names source, column and row number.</exception>
    public static ValidatedExamples<PreferenceExample> ReadPreferences(IDataView data, PostTrainingColumnNames? columns = null, DataValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        columns = Checked(columns ?? new PostTrainingColumnNames(), preferences: true);
        options ??= new DataValidationOptions();

        using var rows = new TextRowReader(data, [columns.Prompt, columns.Chosen, columns.Rejected]);
        var tally = new ValidationTally(rows.Source, options.Strict);
        var kept = new List<PreferenceExample>();
        while (rows.MoveNext())
        {
            ReadOnlyMemory<char> prompt = rows[0], chosen = rows[1], rejected = rows[2];
            var issue = RowChecks.Preference(prompt, chosen, rejected, columns);
            if (tally.Accept(rows.RowNumber, issue)) kept.Add(new PreferenceExample(prompt.ToString(), chosen.ToString(), rejected.ToString()));
        }
        return new ValidatedExamples<PreferenceExample>(kept, tally.ToReport());
    }

    private static PostTrainingColumnNames Checked(PostTrainingColumnNames columns, bool preferences)
    {
        var named = preferences
            ? new[] { (columns.Prompt, nameof(columns.Prompt)), (columns.Chosen, nameof(columns.Chosen)), (columns.Rejected, nameof(columns.Rejected)) }
            : [(columns.Prompt, nameof(columns.Prompt)), (columns.Response, nameof(columns.Response))];
        foreach (var (value, property) in named)
        {
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"PostTrainingColumnNames.{property} must name a column; found '{value}'.", "columns");
        }
        return columns;
    }
}
