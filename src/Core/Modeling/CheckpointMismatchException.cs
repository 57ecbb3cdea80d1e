using System.Text;

namespace XRight.Modeling;

/// <summary>
/// A checkpoint's tensors do not fit the model: some weights are missing, some are unexpected, or
/// some have the wrong shape. The message lists them by name.
/// </summary>
public sealed class CheckpointMismatchException : IOException
{
    private const int ListedPerKind = 20;

    /// <summary>Creates the exception for the checkpoint at <paramref name="source"/>.</summary>
    public CheckpointMismatchException(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
        : base(Describe(source, missing, unexpected, shapeMismatches))
    {
        CheckpointPath = source;
        Missing = missing;
        Unexpected = unexpected;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>The folder or file the checkpoint came from.</summary>
    public string CheckpointPath { get; }

    /// <summary>Weights the model has and the checkpoint lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Tensors in the checkpoint that the model has no place for.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>"name: checkpoint [..] vs model [..]" for each tensor whose shape differs.</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }

    private static string Describe(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapes)
    {
        var text = new StringBuilder($"The checkpoint '{source}' does not match the model.");
        void List(string title, IReadOnlyList<string> items)
        {
            if (items.Count == 0) return;
            text.Append($" {title} ({items.Count}): {string.Join(", ", items.Take(ListedPerKind))}");
            text.Append(items.Count > ListedPerKind ? $", and {items.Count - ListedPerKind} more." : ".");
        }
        List("Missing", missing);
        List("Unexpected", unexpected);
        List("Wrong shape", shapes);
        return text.ToString();
    }
}
