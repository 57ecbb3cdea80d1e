namespace XRight.Interop;

/// <summary>
/// Several named files in one binary stream of a model zip: a count, then for each file its name, its
/// length and its bytes. Files are streamed, so multi-gigabyte weights never sit in one array.
/// </summary>
internal static class FileBundle
{
    private const int Magic = 0x58524642; // "XRFB"

    public static void Write(BinaryWriter writer, IReadOnlyDictionary<string, byte[]> files)
    {
        writer.Write(Magic);
        writer.Write(files.Count);
        foreach (var (name, bytes) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            writer.Write(name);
            writer.Write((long)bytes.Length);
            writer.Write(bytes);
        }
    }

    /// <summary>Writes every file of <paramref name="folder"/> (not sub-folders).</summary>
    public static void WriteFolder(BinaryWriter writer, string folder)
    {
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray();
        writer.Write(Magic);
        writer.Write(files.Length);
        foreach (var path in files)
        {
            using var stream = File.OpenRead(path);
            writer.Write(Path.GetFileName(path));
            writer.Write(stream.Length);
            writer.Flush();
            stream.CopyTo(writer.BaseStream);
        }
    }

    public static Dictionary<string, byte[]> Read(BinaryReader reader, string what)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        ReadEach(reader, what, (name, length) =>
        {
            if (length > Array.MaxLength) throw new InvalidDataException($"{what}: file '{name}' is too large to hold in memory ({length} bytes).");
            var bytes = reader.ReadBytes((int)length);
            if (bytes.Length != length) throw new InvalidDataException($"{what}: file '{name}' is cut short.");
            files[name] = bytes;
        });
        return files;
    }

    /// <summary>Writes the bundled files into <paramref name="folder"/>, which must exist.</summary>
    public static void ReadToFolder(BinaryReader reader, string folder, string what)
        => ReadEach(reader, what, (name, length) =>
        {
            using var output = File.Create(Path.Combine(folder, name));
            var buffer = new byte[1 << 20];
            for (long left = length; left > 0;)
            {
                int read = reader.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (read <= 0) throw new InvalidDataException($"{what}: file '{name}' is cut short.");
                output.Write(buffer, 0, read);
                left -= read;
            }
        });

    private static void ReadEach(BinaryReader reader, string what, Action<string, long> readFile)
    {
        if (reader.ReadInt32() != Magic) throw new InvalidDataException($"{what}: not a file bundle written by XRight.");
        int count = reader.ReadInt32();
        if (count < 0) throw new InvalidDataException($"{what}: negative file count.");
        for (int i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            if (name.Length == 0 || name != Path.GetFileName(name) || name is "." or "..")
                throw new InvalidDataException($"{what}: '{name}' is not a plain file name.");
            long length = reader.ReadInt64();
            if (length < 0) throw new InvalidDataException($"{what}: file '{name}' has a negative length.");
            readFile(name, length);
        }
    }
}
