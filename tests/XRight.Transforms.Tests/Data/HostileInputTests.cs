using System.Text;
using Microsoft.ML;
using XRight.Data;
using XRight.Data.JsonLines;

namespace XRight.Tests.Data;

/// <summary>
/// Bounded memory on hostile input: a JSON Lines line or a Parquet column chunk over its limit is refused with
/// the file, the place and the limit named, and the line reader never buffers more than the limit plus one read.
/// </summary>
[TestClass]
public sealed class HostileInputTests
{
    private readonly MLContext _ml = new(seed: 1);

    private static string Line(int bytes) => "{\"prompt\": \"" + new string('a', bytes - 14) + "\"}"; // 12 bytes of JSON around the text, 2 quotes

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void AJsonLinesLineOverTheLimitIsRefusedNamingTheFileTheLineAndTheLimit(bool streaming)
    {
        using var temp = new TempDirectory();
        var path = temp.File("rows.jsonl");
        Assert.AreEqual(100, Encoding.UTF8.GetByteCount(Line(100)));
        // Line 1 exactly at the limit is read; line 3 one byte over is refused.
        File.WriteAllText(path, Line(100) + "\n\n" + Line(101) + "\n", new UTF8Encoding(false));
        var options = new JsonLinesOptions { MaxLineBytes = 100, Streaming = streaming };

        InvalidDataException e;
        if (streaming)
        {
            var view = _ml.Data.LoadFromJsonLines(path, options);
            using var cursor = view.GetRowCursor(view.Schema);
            Assert.IsTrue(cursor.MoveNext(), "the line at the limit is read");
            e = Assert.ThrowsExactly<InvalidDataException>(() => cursor.MoveNext());
        }
        else
        {
            e = Assert.ThrowsExactly<InvalidDataException>(() => _ml.Data.LoadFromJsonLines(path, options));
        }
        Assert.AreEqual($"'{path}', line 3: the line is longer than 100 bytes (JsonLinesOptions.MaxLineBytes); it is refused rather than read into memory.", e.Message);

        // A line ending in \r\n counts its \r.
        File.WriteAllText(path, Line(100) + "\r\n", new UTF8Encoding(false));
        e = Assert.ThrowsExactly<InvalidDataException>(() => _ml.Data.LoadFromJsonLines(path, options));
        StringAssert.Contains(e.Message, "line 1: the line is longer than 100 bytes");
        File.WriteAllText(path, Line(99) + "\r\n", new UTF8Encoding(false));
        Assert.AreEqual(1L, _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { MaxLineBytes = 100, Streaming = false }).GetRowCount());
    }

    [TestMethod]
    public void TheLineReaderBuffersAtMostTheLimitAndOneReadOfAnEndlessLine()
    {
        const int limit = 1 << 20, read = 64 * 1024;
        var endless = new EndlessLine();
        var reader = new Utf8LineReader(endless, "endless", limit);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => reader.TryReadLine(out _));
        Assert.AreEqual($"'endless', line 1: the line is longer than {limit} bytes (JsonLinesOptions.MaxLineBytes); it is refused rather than read into memory.", e.Message);
        Assert.IsGreaterThan((long)limit, endless.BytesRead, "deciding needs a byte past the limit");
        Assert.IsLessThanOrEqualTo((long)limit + read + 1, endless.BytesRead, "the buffer stopped growing at the limit plus one read");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-5)]
    public void ANonPositiveLineLimitIsRefusedNamingTheOption(int limit)
    {
        using var temp = new TempDirectory();
        var path = temp.File("rows.jsonl");
        File.WriteAllText(path, Line(40) + "\n");
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { MaxLineBytes = limit }));
        StringAssert.Contains(e.Message, $"JsonLinesOptions.MaxLineBytes must be at least 1, found {limit}");
    }

    [TestMethod]
    public void AParquetColumnChunkOverTheLimitIsRefusedBeforeItIsRead()
    {
        using var temp = new TempDirectory();
        var jsonl = temp.File("rows.jsonl");
        File.WriteAllText(jsonl, Line(40) + "\n" + Line(5000) + "\n");
        var parquet = temp.File("rows.parquet");
        _ml.Data.SaveAsParquet(_ml.Data.LoadFromJsonLines(jsonl), parquet);

        // The same file reads under the default limit.
        CollectionAssert.AreEqual(new[] { 40 - 14, 5000 - 14 }, ViewReading.Texts(_ml.Data.LoadFromParquet(parquet), "prompt").Select(t => t.Length).ToArray());

        var view = _ml.Data.LoadFromParquet(parquet, maxColumnChunkBytes: 1000);
        using var cursor = view.GetRowCursor(view.Schema);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => cursor.MoveNext());
        StringAssert.StartsWith(e.Message, $"'{parquet}': column 'prompt' in row group 0 holds ");
        StringAssert.Contains(e.Message, "more than the limit of 1000 bytes (LoadFromParquet's maxColumnChunkBytes)");

        var bad = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Data.LoadFromParquet(parquet, maxColumnChunkBytes: 0));
        StringAssert.Contains(bad.Message, "maxColumnChunkBytes must be at least 1, found 0");
    }

    /// <summary>A stream of 'a' bytes without end, counting what was read.</summary>
    private sealed class EndlessLine : Stream
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'a');
            BytesRead += count;
            return count;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
