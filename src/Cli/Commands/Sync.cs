namespace XRight.Cli.Commands;

/// <summary>A progress sink that handles each report on the reporting thread, in order.</summary>
internal sealed class Sync<T>(Action<T> handle) : IProgress<T>
{
    public void Report(T value) => handle(value);
}
