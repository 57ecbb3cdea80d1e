using System.Security.Cryptography;
using XRight.Modeling;
using XRight.Modeling.SafeTensors;
using XRight.Text;
using static TorchSharp.torch;

namespace XRight.Evaluation;

/// <summary>
/// Content hashes that key cached results: a model's is over its configuration and every tensor of its
/// state (names, types, shapes, bytes; LoRA adapters included), a tokenizer's over its files.
/// </summary>
public static class Fingerprint
{
    /// <summary>The hash of <paramref name="model"/>'s configuration and weights.</summary>
    public static string Of(CausalLm model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Of(model.Config.ToJson(), model.state_dict());
    }

    /// <summary>The hash of <paramref name="model"/> together with <paramref name="tokenizer"/>: what a benchmark's prompts go through.</summary>
    public static string Of(CausalLm model, CausalLmTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return Combine(Of(model), Of(tokenizer));
    }

    /// <summary>The hash of <paramref name="tokenizer"/>'s files.</summary>
    public static string Of(CausalLmTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, bytes) in tokenizer.ToFiles().OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            AppendString(sha, name);
            AppendString(sha, bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            sha.AppendData(bytes);
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>The hash of a configuration text and named tensors (in name order).</summary>
    internal static string Of(string configJson, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var sha = SHA256.Create();
        using (var stream = new CryptoStream(Stream.Null, sha, CryptoStreamMode.Write))
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(configJson);
            foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                writer.Write(name);
                writer.Write(tensor.dtype.ToString());
                writer.Write(string.Join(",", tensor.shape));
                writer.Flush();
                using var scope = NewDisposeScope();
                TensorBytes.Write(tensor.detach().cpu().contiguous(), stream);
            }
        }
        return Convert.ToHexString(sha.Hash!).ToLowerInvariant();
    }

    /// <summary>One hash of several.</summary>
    internal static string Combine(params string[] parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts) AppendString(sha, part);
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    private static void AppendString(IncrementalHash sha, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        sha.AppendData(BitConverter.GetBytes(bytes.Length));
        sha.AppendData(bytes);
    }
}
