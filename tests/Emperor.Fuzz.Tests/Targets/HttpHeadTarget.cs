using System.Text;
using Emperor.Core.Routing;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// The router's HTTP request head parser and the uwsgi vars it forwards (what any client sends the http front):
/// never throws, a refusal is one line, and an accepted head's vars survive the uwsgi packet round trip. An input whose
/// first byte is '#' is fed to the uwsgi vars decoder directly (what a backend's packet looks like to it).
/// </summary>
internal sealed class HttpHeadTarget : IFuzzTarget
{
    public string Name => "http-head";

    public IEnumerable<byte[]> Seeds =>
    [
        Encoding.Latin1.GetBytes("GET /index.html?a=1 HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\n\r\n"),
        Encoding.Latin1.GetBytes("POST /api HTTP/1.0\r\nHost: shop.example.com:8080\r\nContent-Length: 12\r\nContent-Type: text/plain\r\nX-Odd-Header:  spaced \r\n\r\n"),
        Encoding.Latin1.GetBytes("GET /%41%zz%  HTTP/1.1\r\nHost:\r\n\r\n"),
        [(byte)'#', 0, 0, 3, 0, (byte)'A', (byte)'B', (byte)'C', 1, 0, (byte)'x'],
    ];

    public IReadOnlyList<string> Dictionary => ["GET ", "POST ", " HTTP/1.1", " HTTP/1.0", "\r\n", "Host: ", "Content-Length: ", "Connection: close", ":", "%", "?", "\0"];

    public bool UsesRepositoryFile(string path) => false;

    public string Run(byte[] input)
    {
        if (input.Length > 0 && input[0] == (byte)'#')
        {
            var decoded = UwsgiVars.Decode(input.AsSpan(1), out var varsError);
            if (decoded is null)
            {
                Invariant.OneLine(varsError, "uwsgi vars refusal");
                return "vars refused: " + varsError;
            }

            return "vars: " + decoded.Count;
        }

        var head = HttpRequestHead.Parse(input, out var error);
        if (head is null)
        {
            Invariant.OneLine(error, "request refusal");
            return "refused: " + error;
        }

        _ = (head.Host, head.Path, head.ContentLength, head.KeepAlive);
        var vars = head.ToUwsgiVars("example.com", "80", "127.0.0.1", "40000");
        if (UwsgiVars.Encode(vars) is not { } packet)
        {
            return "accepted, too large to forward";
        }

        var back = UwsgiVars.Decode(packet, out var backError) ?? throw new FuzzInvariantException("the vars we encoded do not decode: " + backError);
        if (!back.SequenceEqual(vars))
        {
            throw new FuzzInvariantException($"the uwsgi vars changed on the way: {vars.Count} -> {back.Count}");
        }

        return $"{head.Method} {head.Target} {head.Protocol} {head.Headers.Count}";
    }
}
