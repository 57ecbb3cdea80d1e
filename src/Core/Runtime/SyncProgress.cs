namespace XRight.Runtime;

/// <summary>
/// Forwards each report synchronously on the reporting thread (<see cref="Progress{T}"/> would post it to
/// the thread pool, so a report could arrive after the step it describes, or after the run ended).
/// </summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
