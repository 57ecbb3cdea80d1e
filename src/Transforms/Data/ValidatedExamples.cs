namespace XRight.Data;

/// <summary>The examples kept by <see cref="PostTrainingDataReader"/>, with the report of what was skipped.</summary>
/// <typeparam name="TExample"><see cref="InstructionExample"/> or <see cref="PreferenceExample"/>.</typeparam>
/// <param name="Examples">The rows that passed validation, in view order.</param>
/// <param name="Report">Rows read, kept and skipped by reason.</param>
public sealed record ValidatedExamples<TExample>(IReadOnlyList<TExample> Examples, DataValidationReport Report);
