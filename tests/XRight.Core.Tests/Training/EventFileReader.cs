using System.Text;

namespace XRight.Tests.Training;

/// <summary>
/// A reader of TensorBoard event files written for the tests from the format's description, sharing no
/// code with the library: TFRecord framing (uint64 length, masked CRC-32C of the length bytes, the data,
/// masked CRC-32C of the data, little-endian) around Event protobufs (wall_time = 1, step = 2,
/// file_version = 3, summary = 5; Summary.value = 1 with tag = 1, simple_value = 2, tensor = 8,
/// metadata = 9; TensorProto string_val = 8; SummaryMetadata.plugin_data = 1 with plugin_name = 1).
/// Every CRC is checked, as TensorBoard does.
/// </summary>
internal static class EventFileReader
{
    public sealed record Value(string Tag, float? Simple, string? Text, string? Plugin);

    public sealed record Event(double WallTime, long Step, string? FileVersion, IReadOnlyList<Value> Values);

    public static IReadOnlyList<Event> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        int at = 0;
        while (at < bytes.Length)
        {
            Assert.IsGreaterThanOrEqualTo(12, bytes.Length - at, $"{path}: a record header is cut short at byte {at}");
            ulong length = BitConverter.ToUInt64(bytes, at);
            Assert.AreEqual(Masked(Crc32C(bytes.AsSpan(at, 8))), BitConverter.ToUInt32(bytes, at + 8), $"{path}: length CRC at byte {at}");
            var data = bytes.AsSpan(at + 12, (int)length);
            Assert.AreEqual(Masked(Crc32C(data)), BitConverter.ToUInt32(bytes, at + 12 + (int)length), $"{path}: data CRC at byte {at}");
            events.Add(ParseEvent(data.ToArray()));
            at += 12 + (int)length + 4;
        }
        return events;
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    public static uint Masked(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8);

    private static Event ParseEvent(byte[] data)
    {
        double wall = 0;
        long step = 0;
        string? version = null;
        var values = new List<Value>();
        foreach (var (field, wire, payload, number) in Fields(data))
            switch (field)
            {
                case 1: Assert.AreEqual(1, wire); wall = BitConverter.ToDouble(payload); break;
                case 2: Assert.AreEqual(0, wire); step = (long)number; break;
                case 3: version = Encoding.UTF8.GetString(payload); break;
                case 5:
                    foreach (var (f, _, summaryValue, _) in Fields(payload))
                        if (f == 1) values.Add(ParseValue(summaryValue));
                    break;
            }
        return new Event(wall, step, version, values);
    }

    private static Value ParseValue(byte[] data)
    {
        string tag = "";
        float? simple = null;
        string? text = null, plugin = null;
        foreach (var (field, wire, payload, _) in Fields(data))
            switch (field)
            {
                case 1: tag = Encoding.UTF8.GetString(payload); break;
                case 2: Assert.AreEqual(5, wire); simple = BitConverter.ToSingle(payload); break;
                case 8:
                    foreach (var (f, _, p, _) in Fields(payload))
                        if (f == 8) text = Encoding.UTF8.GetString(p);
                    break;
                case 9:
                    foreach (var (f, _, p, _) in Fields(payload))
                        if (f == 1)
                            foreach (var (g, _, q, _) in Fields(p))
                                if (g == 1) plugin = Encoding.UTF8.GetString(q);
                    break;
            }
        return new Value(tag, simple, text, plugin);
    }

    // (field, wire type, bytes of a fixed or length-delimited field, value of a varint)
    private static IEnumerable<(int Field, int Wire, byte[] Payload, ulong Number)> Fields(byte[] data)
    {
        int at = 0;
        while (at < data.Length)
        {
            ulong key = Varint(data, ref at);
            int wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return ((int)(key >> 3), 0, [], Varint(data, ref at)); break;
                case 1: yield return ((int)(key >> 3), 1, data[at..(at + 8)], 0); at += 8; break;
                case 5: yield return ((int)(key >> 3), 5, data[at..(at + 4)], 0); at += 4; break;
                case 2:
                    int length = (int)Varint(data, ref at);
                    yield return ((int)(key >> 3), 2, data[at..(at + length)], 0);
                    at += length;
                    break;
                default: throw new AssertFailedException($"unexpected wire type {wire}");
            }
        }
    }

    private static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }
}
