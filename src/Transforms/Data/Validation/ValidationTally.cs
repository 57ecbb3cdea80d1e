using System.Globalization;

namespace XRight.Data.Validation;

/// <summary>Counts rows by outcome; in strict mode the first bad row throws instead of being counted.</summary>
internal sealed class ValidationTally(string source, bool strict, Func<long, string?>? locate = null)
{
    private readonly long[] _skipped = new long[Enum.GetValues<SkipReason>().Length];
    private long _rowsRead;
    private long _truncated;

    /// <summary>Records that a kept row's prompt was cut to fit.</summary>
    public void CountTruncated() => _truncated++;

    /// <summary>Records one row; true when it is to be kept.</summary>
    /// <param name="rowNumber">1-based row number within the view, for the strict-mode error.</param>
    /// <param name="issue">The row's first problem, or null for a good row.</param>
    public bool Accept(long rowNumber, RowIssue? issue)
    {
        _rowsRead++;
        if (issue is not { } problem) return true;
        if (strict)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{locate?.Invoke(rowNumber) ?? $"{source}, row {rowNumber}"}, {problem.ColumnsText}: {problem.Description}. Strict validation stops at the first such row; with DataValidationOptions.Strict = false it is skipped and counted."));
        }
        _skipped[(int)problem.Reason]++;
        return false;
    }

    public DataValidationReport ToReport() => new(
        _rowsRead,
        _skipped[(int)SkipReason.EmptyPrompt],
        _skipped[(int)SkipReason.EmptyResponse],
        _skipped[(int)SkipReason.EmptyChosen],
        _skipped[(int)SkipReason.EmptyRejected],
        _skipped[(int)SkipReason.ChosenEqualsRejected],
        _skipped[(int)SkipReason.TooLong],
        _truncated);
}
