namespace XRight.Data.ParquetIO;

/// <summary>
/// Runs Parquet.Net's asynchronous API from the synchronous IDataView contract. The caller's
/// synchronization context is cleared while blocking, so continuations run on the thread pool and a
/// single-threaded context (a UI thread) cannot deadlock.
/// </summary>
internal static class SyncBridge
{
    public static void Run(Func<Task> operation) => Run(async () => { await operation(); return true; });

    public static T Run<T>(Func<Task<T>> operation)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return operation().GetAwaiter().GetResult();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }
}
