using System.Text;

namespace Emperor.Core.Logs;

/// <summary>
/// Cuts a byte stream into lines: complete lines as they arrive, a line longer than <see cref="MaxLineBytes"/>
/// in pieces of that size (so one endless line cannot grow a buffer), and what is left at EOF (a vassal that
/// died mid-line) by <see cref="Flush"/>. A trailing <c>\r</c> is dropped with the newline. Not thread-safe: one
/// reader owns one splitter.
/// </summary>
internal sealed class LineSplitter
{
    public const int MaxLineBytes = 16 * 1024;

    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly byte[] _pending = new byte[MaxLineBytes];
    private int _used;

    /// <summary>Bytes waiting for their newline.</summary>
    public int Pending => _used;

    /// <summary>Feeds <paramref name="data"/>; calls <paramref name="line"/> for each line it completes.</summary>
    public void Feed(ReadOnlySpan<byte> data, Action<string> line)
    {
        while (data.Length > 0)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                var room = MaxLineBytes - _used;
                if (data.Length < room)
                {
                    data.CopyTo(_pending.AsSpan(_used));
                    _used += data.Length;
                    return;
                }

                data[..room].CopyTo(_pending.AsSpan(_used));
                _used = MaxLineBytes;
                line(Take());
                data = data[room..];
                continue;
            }

            if (_used == 0)
            {
                line(Decode(data[..newline]));
            }
            else if (_used + newline <= MaxLineBytes)
            {
                data[..newline].CopyTo(_pending.AsSpan(_used));
                _used += newline;
                line(Take());
            }
            else
            {
                var room = MaxLineBytes - _used;
                data[..room].CopyTo(_pending.AsSpan(_used));
                _used = MaxLineBytes;
                line(Take());
                data = data[room..];
                continue;
            }

            data = data[(newline + 1)..];
        }
    }

    /// <summary>The unfinished last line, if any (at EOF).</summary>
    public string? Flush() => _used == 0 ? null : Take();

    private string Take()
    {
        var text = Decode(_pending.AsSpan(0, _used));
        _used = 0;
        return text;
    }

    private static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        return s_utf8.GetString(bytes);
    }
}
