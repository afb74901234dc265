using System.Text;
using Emperor.Core.Routing;

namespace Emperor.Core.Tests.Routing;

public sealed class HttpRequestHeadTests
{
    private static HttpRequestHead? Parse(string head, out string error) => HttpRequestHead.Parse(Encoding.Latin1.GetBytes(head), out error);

    [Fact]
    public void A_request_becomes_the_uwsgi_vars_a_uwsgi_backend_expects()
    {
        var r = Parse("POST /a%20b/c?x=1&y=2 HTTP/1.1\r\nHost: example.com:8080\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n", out _)!;
        Assert.Equal(("example.com:8080", "/a%20b/c", 5L, true), (r.Host, r.Path, r.ContentLength, r.KeepAlive));
        var vars = r.ToUwsgiVars("example.com", "80", "127.0.0.1", "5000").ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("POST", vars["REQUEST_METHOD"]);
        Assert.Equal("/a b/c", vars["PATH_INFO"]);
        Assert.Equal("x=1&y=2", vars["QUERY_STRING"]);
        Assert.Equal("/a%20b/c?x=1&y=2", vars["REQUEST_URI"]);
        Assert.Equal("5", vars["CONTENT_LENGTH"]);
        Assert.Equal("text/plain", vars["CONTENT_TYPE"]);
        Assert.Equal("1.2.3.4", vars["HTTP_X_FORWARDED_FOR"]);
        Assert.Equal("example.com:8080", vars["HTTP_HOST"]);
    }

    [Theory]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false)]
    public void Keep_alive_follows_the_protocol_and_the_connection_header(string head, bool keep) =>
        Assert.Equal(keep, Parse(head, out _)!.KeepAlive);

    [Theory]
    [InlineData("GARBAGE\r\n\r\n", "not an HTTP/1.x request line")]
    [InlineData("GET / HTTP/2\r\n\r\n", "not an HTTP/1.x request line")]
    [InlineData("GET /a/../etc HTTP/1.1\r\n\r\n", "dot segments in the request target")]
    [InlineData("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", "a malformed header line")]
    [InlineData("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "chunked or ambiguous request bodies are not supported")]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "chunked or ambiguous request bodies are not supported")]
    public void Bad_requests_are_refused_with_a_reason(string head, string reason)
    {
        Assert.Null(Parse(head, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n", true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n", true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n", false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n", false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n", false)]
    public void Only_a_self_delimited_response_keeps_the_connection(string head, bool keep) =>
        Assert.Equal(keep, HttpRequestHead.ResponseIsSelfDelimited(Encoding.Latin1.GetBytes(head)));

    [Fact]
    public void Uwsgi_vars_round_trip_and_a_truncated_block_is_refused()
    {
        var vars = new List<KeyValuePair<string, string>> { new("HTTP_HOST", "ä.example"), new("PATH_INFO", "/"), new("EMPTY", string.Empty) };
        var block = UwsgiVars.Encode(vars)!;
        Assert.Equal(vars, UwsgiVars.Decode(block, out _));
        Assert.Null(UwsgiVars.Decode(block.AsSpan(0, block.Length - 1), out var error));
        Assert.Contains("overruns", error, StringComparison.Ordinal);
        Assert.Null(UwsgiVars.Encode([new("K", new string('x', 70000))]));
    }

    [Fact]
    public void A_request_for_an_http_node_drops_hop_by_hop_headers_and_adds_forwarded_for_and_close()
    {
        var request = Parse("GET /a?b=1 HTTP/1.1\r\nHost: x.example\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\nX-Forwarded-For: 10.0.0.1\r\nAccept: */*\r\n\r\n", out _)!;
        var head = Encoding.Latin1.GetString(request.ToNodeHead("127.0.0.1"));
        Assert.Equal("GET /a?b=1 HTTP/1.1\r\nHost: x.example\r\nAccept: */*\r\nX-Forwarded-For: 10.0.0.1, 127.0.0.1\r\nConnection: close\r\n\r\n", head);
    }

    [Fact]
    public void Uwsgi_vars_from_nginx_become_an_http_request_for_an_http_node()
    {
        var vars = new List<KeyValuePair<string, string>>
        {
            new("QUERY_STRING", "q=1"), new("REQUEST_METHOD", "POST"), new("CONTENT_TYPE", "text/plain"), new("CONTENT_LENGTH", "5"),
            new("REQUEST_URI", "/form?q=1"), new("PATH_INFO", "/form"), new("REMOTE_ADDR", "10.1.2.3"), new("HTTP_HOST", "x.example"),
            new("HTTP_USER_AGENT", "curl/8"), new("HTTP_CONNECTION", "keep-alive"), new("SERVER_PROTOCOL", "HTTP/1.0"),
        };
        var head = Encoding.Latin1.GetString(HttpRequestHead.FromUwsgiVars(vars)!);
        Assert.Equal("POST /form?q=1 HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nHost: x.example\r\nUser-Agent: curl/8\r\nX-Forwarded-For: 10.1.2.3\r\nConnection: close\r\n\r\n", head);

        // Without REQUEST_URI the target is PATH_INFO and QUERY_STRING; no method or a CR/LF in a value: no request.
        Assert.StartsWith("GET /p?x HTTP/1.1\r\n", Encoding.Latin1.GetString(HttpRequestHead.FromUwsgiVars([new("REQUEST_METHOD", "GET"), new("PATH_INFO", "/p"), new("QUERY_STRING", "x")])!), StringComparison.Ordinal);
        Assert.Null(HttpRequestHead.FromUwsgiVars([new("PATH_INFO", "/p")]));
        Assert.Null(HttpRequestHead.FromUwsgiVars([new("REQUEST_METHOD", "GET"), new("PATH_INFO", "/p"), new("HTTP_X", "a\r\nInjected: 1")]));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: Close\r\nTransfer-Encoding: chunked\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: close\r\n", null)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n", null)]
    public void An_http_nodes_self_delimited_response_loses_its_connection_header(string head, string? expected)
    {
        var result = HttpRequestHead.WithoutConnection(Encoding.Latin1.GetBytes(head));
        Assert.Equal(expected, result is null ? null : Encoding.Latin1.GetString(result));
    }

    [Fact]
    public void The_fastrouter_reads_only_its_routing_vars_and_the_first_of_each_wins()
    {
        var block = UwsgiVars.Encode([
            new("SERVER_NAME", "fallback.example"), new("PATH_INFO", "/ä"), new("CONTENT_LENGTH", "12"),
            new("HTTP_HOST", "a.example"), new("HTTP_HOST", "b.example"), new("OTHER", "x")])!;
        Assert.True(UwsgiVars.TryRoutingVars(block, out var host, out var path, out var length, out _));
        Assert.Equal(("a.example", "/ä", 12L), (host, path, length));

        Assert.True(UwsgiVars.TryRoutingVars(UwsgiVars.Encode([new("SERVER_NAME", "s.example"), new("CONTENT_LENGTH", "x")])!, out host, out path, out length, out _));
        Assert.Equal(("s.example", "/", 0L), (host, path, length));

        Assert.False(UwsgiVars.TryRoutingVars(block.AsSpan(0, block.Length - 1), out _, out _, out _, out var error));
        Assert.Contains("overruns", error, StringComparison.Ordinal);
        byte[] badUtf8 = [9, 0, .. "HTTP_HOST"u8, 1, 0, 0xFF];
        Assert.False(UwsgiVars.TryRoutingVars(badUtf8, out _, out _, out _, out error));
        Assert.Equal("a routing var is not UTF-8", error);
    }
}
