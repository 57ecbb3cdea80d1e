using System.Text;

namespace XRight.Tests.Tokenization;

/// <summary>
/// Writes a small SentencePiece <c>tokenizer.model</c> (a <c>ModelProto</c> protocol buffer) for tests:
/// the pieces (field 1), the trainer spec (field 2: model type, byte fallback, unk/bos/eos ids) and the
/// normalizer spec (field 3: identity, dummy prefix, escaped whitespace), as Llama's models have.
/// </summary>
internal static class SentencePieceModelWriter
{
    /// <summary>SentencePiece piece types.</summary>
    public enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Byte = 6 }

    /// <summary>Model types of the trainer spec.</summary>
    public enum ModelType { Unigram = 1, Bpe = 2 }

    public static byte[] Write(
        IReadOnlyList<(string Piece, float Score, PieceType Type)> pieces, ModelType modelType = ModelType.Bpe,
        bool byteFallback = true, int unkId = 0, int bosId = 1, int eosId = 2, string normalizerName = "identity")
    {
        var model = new MemoryStream();
        foreach (var (piece, score, type) in pieces)
        {
            var entry = new MemoryStream();
            WriteBytes(entry, 1, Encoding.UTF8.GetBytes(piece));
            WriteFloat(entry, 2, score);
            WriteVarint(entry, 3, (ulong)type);
            WriteBytes(model, 1, entry.ToArray());
        }

        var trainer = new MemoryStream();
        WriteVarint(trainer, 3, (ulong)modelType);
        WriteVarint(trainer, 4, (ulong)pieces.Count);
        WriteVarint(trainer, 35, byteFallback ? 1UL : 0UL);
        WriteVarint(trainer, 40, (ulong)unkId);
        WriteVarint(trainer, 41, (ulong)bosId);
        WriteVarint(trainer, 42, (ulong)eosId);
        WriteBytes(model, 2, trainer.ToArray());

        var normalizer = new MemoryStream();
        WriteBytes(normalizer, 1, Encoding.UTF8.GetBytes(normalizerName));
        WriteVarint(normalizer, 3, 1); // add_dummy_prefix
        WriteVarint(normalizer, 4, 0); // remove_extra_whitespaces
        WriteVarint(normalizer, 5, 1); // escape_whitespaces
        WriteBytes(model, 3, normalizer.ToArray());
        return model.ToArray();
    }

    /// <summary>The 256 byte-fallback pieces <c>&lt;0x00&gt;</c> ... <c>&lt;0xFF&gt;</c>.</summary>
    public static IEnumerable<(string Piece, float Score, PieceType Type)> BytePieces() =>
        Enumerable.Range(0, 256).Select(b => ($"<0x{b:X2}>", 0f, PieceType.Byte));

    // Protocol buffer encoding: a key (field number << 3 | wire type), then the value.
    private static void WriteVarint(Stream stream, int field, ulong value)
    {
        Varint(stream, (ulong)(field << 3));
        Varint(stream, value);
    }

    private static void WriteFloat(Stream stream, int field, float value)
    {
        Varint(stream, (ulong)((field << 3) | 5));
        Span<byte> bytes = stackalloc byte[4];
        BitConverter.TryWriteBytes(bytes, value);
        if (!BitConverter.IsLittleEndian) bytes.Reverse();
        stream.Write(bytes);
    }

    private static void WriteBytes(Stream stream, int field, byte[] value)
    {
        Varint(stream, (ulong)((field << 3) | 2));
        Varint(stream, (ulong)value.Length);
        stream.Write(value);
    }

    private static void Varint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }
}
