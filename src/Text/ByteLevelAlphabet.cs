using System.Text;
using System.Text.Unicode;

namespace XRight.Text;

/// <summary>
/// The GPT-2 byte-level alphabet: each of the 256 byte values is shown as one printable character
/// (printable Latin-1 bytes stand for themselves, the others are shifted to U+0100 and up, so a
/// space is 'Ġ'). Byte-level BPE vocabularies and merges are written in this alphabet.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildTable();
    private static readonly Dictionary<char, byte> CharToByte =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    /// <summary>The character that stands for <paramref name="value"/>.</summary>
    public static char ToChar(byte value) => ByteToChar[value];

    /// <summary>
    /// The text a byte-level token stands for, or null when the token is not made of alphabet
    /// characters or its bytes are not complete UTF-8 (a piece of a multi-byte character).
    /// </summary>
    public static string? TryDecode(string token)
    {
        var bytes = new byte[token.Length];
        for (var i = 0; i < token.Length; i++)
        {
            if (!CharToByte.TryGetValue(token[i], out bytes[i])) return null;
        }
        // A piece of a multi-byte character: no text splits into it, so it has no text form.
        return Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : null;
    }

    private static char[] BuildTable()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= '¡' && b <= '¬') || (b >= '®' && b <= 'ÿ');
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }
}
