namespace XRight.Data.JsonLines;

/// <summary>
/// Splits a byte stream into lines at <c>\n</c> (a trailing <c>\r</c> is dropped) without decoding,
/// so that each line can be checked and parsed on its own and errors get the right line number. A line
/// longer than <paramref name="maxLineBytes"/> is refused once that many of its bytes are buffered: the
/// buffer never grows beyond the limit plus one read.
/// </summary>
internal sealed class Utf8LineReader(Stream stream, string source, int maxLineBytes = JsonLinesOptions.DefaultMaxLineBytes)
{
    private const int ReadSize = 64 * 1024;
    private byte[] _buffer = new byte[ReadSize];
    private long _lineNumber;
    private int _start;
    private int _end;
    private bool _endOfStream;

    /// <summary>The next line without its terminator; valid until the next call.</summary>
    /// <exception cref="InvalidDataException">The line is longer than the limit.</exception>
    public bool TryReadLine(out ReadOnlyMemory<byte> line)
    {
        var searched = 0;
        _lineNumber++;
        while (true)
        {
            var newline = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                if (searched + newline > maxLineBytes) throw TooLong();
                line = Trim(_start, searched + newline);
                _start += searched + newline + 1;
                return true;
            }
            searched = _end - _start;
            if (searched > maxLineBytes) throw TooLong();
            if (_endOfStream)
            {
                line = Trim(_start, searched);
                _start = _end;
                return searched > 0;
            }
            Fill();
        }
    }

    private InvalidDataException TooLong() => new(
        $"'{source}', line {_lineNumber}: the line is longer than {maxLineBytes} bytes (JsonLinesOptions.MaxLineBytes); " +
        "it is refused rather than read into memory.");

    private ReadOnlyMemory<byte> Trim(int start, int length) =>
        _buffer.AsMemory(start, length > 0 && _buffer[start + length - 1] == (byte)'\r' ? length - 1 : length);

    // Moves the unfinished line to the front, grows the buffer when that line fills it, and reads more.
    private void Fill()
    {
        var pending = _end - _start;
        // Room for the limit and one more read decides a line: the buffer stays below limit + 2 reads.
        if (pending == _buffer.Length) Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, (long)maxLineBytes + ReadSize + 1));
        else if (_start > 0) Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
        _start = 0;
        _end = pending;
        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0) _endOfStream = true;
        _end += read;
    }
}
