using System.Buffers;
using Emperor.Core.Logs;

namespace Emperor.Hosting.Logs;

/// <summary>
/// Without <c>--emperor-log-dir</c>: a vassal's stdout lines go to the Emperor's stdout and its stderr lines to the
/// Emperor's stderr, as when they were inherited, but each prefixed with <c>[NAME] </c> (or as JSON objects). A batch
/// is one write per stream, so lines never interleave with the Emperor's own log lines mid-line.
/// </summary>
internal sealed class StreamLogSink(Stream stdout, Stream stderr, LogFormat format) : ILogSink
{
    private readonly ArrayBufferWriter<byte> _out = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _err = new(64 * 1024);

    public bool Write(VassalLogLine line)
    {
        LogLineFormatter.Write(line.Stream == VassalStream.Stdout ? _out : _err, line, format, prefixName: true);
        if (_out.WrittenCount + _err.WrittenCount > 256 * 1024)
        {
            Flush();
        }

        return true;
    }

    public void Flush()
    {
        Push(stdout, _out);
        Push(stderr, _err);
    }

    public void Reopen()
    {
    }

    public void Dispose() => Flush();

    private static void Push(Stream stream, ArrayBufferWriter<byte> buffer)
    {
        if (buffer.WrittenCount == 0)
        {
            return;
        }

        try
        {
            stream.Write(buffer.WrittenSpan);
            stream.Flush();
        }
        catch (IOException)
        {
            // The Emperor's own stream is gone (a closed terminal or pipe): nothing better to write to.
        }

        buffer.ResetWrittenCount();
    }
}
