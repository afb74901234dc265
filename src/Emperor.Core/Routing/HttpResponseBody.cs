using System.Globalization;
using System.Text;

namespace Emperor.Core.Routing;

/// <summary>
/// Where an HTTP/1.x response from a node ends (RFC 9112 §6.3), so the router can keep the node connection for the
/// next request: no body (a HEAD request, 1xx, 204, 304), <c>Content-Length</c> bytes, chunked (sizes, data, the last
/// chunk and the trailers), or — for anything else — the close, after which the connection cannot be reused. Fed the
/// bytes after the head as they arrive; never throws; a malformed chunk framing makes the rest "until close".
/// Pure, allocation-free per byte.
/// </summary>
internal sealed class HttpResponseBody
{
    private enum Chunk
    {
        Size,
        Extension,
        SizeLf,
        Data,
        DataCr,
        DataLf,
        TrailerStart,
        TrailerLine,
        TrailerLf,
        EndLf,
    }

    private readonly bool _chunked;
    private long _remaining;
    private Chunk _state;
    private bool _sawDigit;

    private HttpResponseBody(bool chunked, long length, bool untilClose, bool keepAlive)
    {
        _chunked = chunked;
        _remaining = length;
        UntilClose = untilClose;
        KeepAlive = keepAlive && !untilClose;
        Done = !chunked && !untilClose && length == 0;
    }

    /// <summary>The body ends only when the node closes (no length, no chunking, or a bad framing).</summary>
    public bool UntilClose { get; private set; }

    /// <summary>The node connection may carry another request once <see cref="Done"/>.</summary>
    public bool KeepAlive { get; private set; }

    public bool Done { get; private set; }

    /// <summary>The status code of the head it was made from.</summary>
    public int Status { get; private init; }

    /// <summary>
    /// The framing of a response head (the status line and headers, through the last header's CRLF); null when it is
    /// not an HTTP/1.x status line.
    /// </summary>
    public static HttpResponseBody? For(ReadOnlySpan<byte> head, bool headRequest)
    {
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        var first = lines[0];
        if (!first.StartsWith("HTTP/1.", StringComparison.Ordinal) || first.Length < 12
            || !int.TryParse(first.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            return null;
        }

        var http11 = first.StartsWith("HTTP/1.1", StringComparison.Ordinal);
        long? length = null;
        var chunked = false;
        var close = !http11;
        var lengths = 0;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line.AsSpan(0, colon);
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                lengths++;
                length = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
            }
            else if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("connection", StringComparison.OrdinalIgnoreCase))
            {
                close = value.Contains("close", StringComparison.OrdinalIgnoreCase) || (!http11 && !value.Contains("keep-alive", StringComparison.OrdinalIgnoreCase));
            }
        }

        if (headRequest || status is (>= 100 and < 200) or 204 or 304)
        {
            return new HttpResponseBody(false, 0, false, !close) { Status = status };
        }

        if (chunked)
        {
            return new HttpResponseBody(true, 0, false, !close) { Status = status };
        }

        if (length is >= 0 && lengths == 1)
        {
            return new HttpResponseBody(false, length.Value, false, !close) { Status = status };
        }

        return new HttpResponseBody(false, 0, true, false) { Status = status };
    }

    /// <summary>How many of <paramref name="data"/>'s bytes belong to this body; sets <see cref="Done"/> at its end.</summary>
    public int Consume(ReadOnlySpan<byte> data)
    {
        if (UntilClose)
        {
            return data.Length;
        }

        if (Done)
        {
            return 0;
        }

        if (!_chunked)
        {
            var take = (int)Math.Min(_remaining, data.Length);
            _remaining -= take;
            Done = _remaining == 0;
            return take;
        }

        var i = 0;
        while (i < data.Length && !Done)
        {
            if (_state == Chunk.Data)
            {
                var take = (int)Math.Min(_remaining, data.Length - i);
                i += take;
                _remaining -= take;
                if (_remaining == 0)
                {
                    _state = Chunk.DataCr;
                }

                continue;
            }

            var b = data[i++];
            switch (_state)
            {
                case Chunk.Size:
                    var digit = HexValue(b);
                    if (digit >= 0 && _remaining < (1L << 56))
                    {
                        _remaining = (_remaining << 4) | (uint)digit;
                        _sawDigit = true;
                    }
                    else if (b == ';' && _sawDigit)
                    {
                        _state = Chunk.Extension;
                    }
                    else if (b == '\r' && _sawDigit)
                    {
                        _state = Chunk.SizeLf;
                    }
                    else
                    {
                        return Bad(data.Length);
                    }

                    break;
                case Chunk.Extension:
                    if (b == '\r')
                    {
                        _state = Chunk.SizeLf;
                    }

                    break;
                case Chunk.SizeLf:
                    if (b != '\n')
                    {
                        return Bad(data.Length);
                    }

                    _state = _remaining == 0 ? Chunk.TrailerStart : Chunk.Data;
                    break;
                case Chunk.DataCr:
                    _state = b == '\r' ? Chunk.DataLf : Chunk.Size;
                    if (b != '\r')
                    {
                        return Bad(data.Length);
                    }

                    break;
                case Chunk.DataLf:
                    if (b != '\n')
                    {
                        return Bad(data.Length);
                    }

                    _state = Chunk.Size;
                    _sawDigit = false;
                    break;
                case Chunk.TrailerStart:
                    _state = b == '\r' ? Chunk.EndLf : Chunk.TrailerLine;
                    break;
                case Chunk.TrailerLine:
                    if (b == '\r')
                    {
                        _state = Chunk.TrailerLf;
                    }

                    break;
                case Chunk.TrailerLf:
                    _state = b == '\n' ? Chunk.TrailerStart : Chunk.TrailerLine;
                    break;
                case Chunk.EndLf:
                    if (b != '\n')
                    {
                        return Bad(data.Length);
                    }

                    Done = true;
                    break;
            }
        }

        return i;
    }

    /// <summary>A framing we cannot follow: pass everything on and end with the node's close.</summary>
    private int Bad(int length)
    {
        UntilClose = true;
        KeepAlive = false;
        return length;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
