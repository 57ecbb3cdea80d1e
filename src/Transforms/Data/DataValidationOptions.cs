namespace XRight.Data;

/// <summary>What <see cref="PostTrainingDataReader"/> does with rows that cannot be trained on.</summary>
public sealed class DataValidationOptions
{
    /// <summary>
    /// False: rows with an empty text or with chosen equal to rejected are skipped and counted in the
    /// <see cref="DataValidationReport"/>. True: the first such row throws
    /// <see cref="InvalidDataException"/> naming the data source, the column and the row number.
    /// Default: false.
    /// </summary>
    public bool Strict { get; set; }
}
