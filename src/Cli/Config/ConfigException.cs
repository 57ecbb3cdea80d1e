namespace XRight.Cli.Config;

/// <summary>A config that cannot be used: the message names the file, the JSON path and what was expected there.</summary>
public sealed class ConfigException(string file, string path, string message, Exception? inner = null)
    : Exception($"{file}: {path}: {message}", inner)
{
    /// <summary>The config file.</summary>
    public string File { get; } = file;

    /// <summary>The JSON path of the value at fault ("$" for the whole document).</summary>
    public string JsonPath { get; } = path;
}
