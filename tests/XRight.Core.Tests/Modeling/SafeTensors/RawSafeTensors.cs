using System.Buffers.Binary;
using System.Text;

namespace XRight.Tests.Modeling.SafeTensors;

/// <summary>Builds safetensors files byte by byte, independently of the library's writer.</summary>
internal static class RawSafeTensors
{
    /// <summary>Length prefix, the header JSON exactly as given, then the data.</summary>
    public static byte[] Build(string headerJson, params byte[] data) => Build(Encoding.UTF8.GetBytes(headerJson), data);

    public static byte[] Build(byte[] header, byte[] data, ulong? declaredHeaderLength = null)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredHeaderLength ?? (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>The header JSON of a written file, with its padding, and the data section.</summary>
    public static (string Header, byte[] Data) Split(string path)
    {
        var file = File.ReadAllBytes(path);
        var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        return (Encoding.UTF8.GetString(file, 8, length), file[(8 + length)..]);
    }
}
