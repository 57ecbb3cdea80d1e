using System.Security.Cryptography;
using XRight.Modeling;
using XRight.Modeling.SafeTensors;

namespace XRight.Training.Reference;

/// <summary>A hash of a model's configuration and weights, to tell reference models apart.</summary>
internal static class ModelFingerprint
{
    public static string Of(CausalLm model)
    {
        using var sha = SHA256.Create();
        using (var stream = new CryptoStream(Stream.Null, sha, CryptoStreamMode.Write))
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(model.Config.ToJson());
            foreach (var (name, tensor) in model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                writer.Write(name);
                writer.Write(tensor.dtype.ToString());
                writer.Write(string.Join(",", tensor.shape));
                writer.Flush();
                using var scope = TorchSharp.torch.NewDisposeScope();
                TensorBytes.Write(tensor.detach().cpu().contiguous(), stream);
            }
        }
        return Convert.ToHexString(sha.Hash!);
    }
}
