using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using XRight.Modeling;
using XRight.Training;
using XRight.Training.Reference;

namespace XRight.Selection;

/// <summary>
/// SHA-256 hashes (upper-case hex) of what a sweep's results depend on: the data, the starting model and its
/// tokenizer. A <see cref="ParetoSweep"/> reuses a finished candidate only when the hash of its options, data
/// and <see cref="SweepInputs.ModelIdentity"/> matches.
/// </summary>
public static class ContentHash
{
    /// <summary>
    /// The files under <paramref name="folder"/> (recursively, names relative to it, in ordinal order, each
    /// with its length and bytes), so equal hashes mean equal config, weights and tokenizer files. Files and
    /// folders whose names start with '.' (.git, caches) are left out.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static string OfFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Folder '{root}' does not exist.");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var name in files)
        {
            using var stream = File.OpenRead(Path.Combine(root, name));
            AppendText(hash, name);
            hash.AppendData(BitConverter.GetBytes(stream.Length));
            int read;
            while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>Files held in memory (a tokenizer's, for example), by name in ordinal order, each with its length and bytes.</summary>
    public static string OfFiles(IEnumerable<KeyValuePair<string, byte[]>> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, bytes) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            AppendText(hash, name);
            hash.AppendData(BitConverter.GetBytes((long)bytes.Length));
            hash.AppendData(bytes);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>A model's configuration and weights (names, types, shapes and values).</summary>
    public static string OfModel(CausalLm model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ModelFingerprint.Of(model);
    }

    /// <summary>
    /// The token ids of every row, in order: the instruction and preference training rows, and the
    /// evaluation rows (given or not).
    /// </summary>
    public static string OfData(JointTrainingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Rows<T>(string name, IReadOnlyList<T>? rows, Func<T, int[][]> parts)
        {
            AppendText(hash, rows is null ? name + ":none" : name + ":" + rows.Count);
            foreach (var row in rows ?? [])
                foreach (var ids in parts(row))
                {
                    hash.AppendData(BitConverter.GetBytes(ids.Length));
                    hash.AppendData(MemoryMarshal.AsBytes(ids.AsSpan()));
                }
        }
        Rows("instructions", data.Instructions, InstructionIds);
        Rows("preferences", data.Preferences, PreferenceIds);
        Rows("instruction-evaluation", data.InstructionEvaluation, InstructionIds);
        Rows("preference-evaluation", data.PreferenceEvaluation, PreferenceIds);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>
    /// What identifies an instruction row: its prompt and response ids, and its loss mask as 0/1 ids when it has
    /// one (a mask changes what is learned from the same ids).
    /// </summary>
    internal static int[][] InstructionIds(TokenizedInstruction r)
        => r.LossMask is null ? [r.Prompt, r.Response] : [r.Prompt, r.Response, r.LossMask.Select(t => t ? 1 : 0).ToArray()];

    /// <summary>What identifies a preference row: its prompt, chosen and rejected ids.</summary>
    internal static int[][] PreferenceIds(TokenizedPreference r) => [r.Prompt, r.Chosen, r.Rejected];

    /// <summary>Rows of token-id sequences, in order (each row's sequences length-prefixed, the row count first).</summary>
    internal static string OfTokenRows(IEnumerable<int[][]> rows)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long count = 0;
        foreach (var row in rows)
        {
            hash.AppendData(BitConverter.GetBytes(row.Length));
            foreach (var ids in row)
            {
                hash.AppendData(BitConverter.GetBytes(ids.Length));
                hash.AppendData(MemoryMarshal.AsBytes(ids.AsSpan()));
            }
            count++;
        }
        hash.AppendData(BitConverter.GetBytes(count));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>One hash of several parts (each length-prefixed, so the parts cannot run into each other).</summary>
    public static string Combine(params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts) AppendText(hash, part ?? throw new ArgumentNullException(nameof(parts), "A part is null."));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static void AppendText(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        hash.AppendData(BitConverter.GetBytes(bytes.Length));
        hash.AppendData(bytes);
    }
}
