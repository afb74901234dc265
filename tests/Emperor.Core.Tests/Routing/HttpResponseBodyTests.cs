using System.Text;
using Emperor.Core.Routing;

namespace Emperor.Core.Tests.Routing;

/// <summary>Where a node's response ends, so its connection can be kept: lengths, chunks, no body, until close.</summary>
public sealed class HttpResponseBodyTests
{
    private static HttpResponseBody For(string head, bool headRequest = false) =>
        HttpResponseBody.For(Encoding.Latin1.GetBytes(head), headRequest)!;

    [Fact]
    public void A_content_length_body_ends_after_its_bytes_and_the_rest_is_not_its()
    {
        var body = For("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n");
        Assert.Equal(3, body.Consume("abc"u8));
        Assert.False(body.Done);
        Assert.Equal(2, body.Consume("deXYZ"u8));
        Assert.True(body.Done);
        Assert.True(body.KeepAlive);
        Assert.Equal(0, body.Consume("more"u8));
    }

    [Theory]
    [InlineData("5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n")]
    [InlineData("0\r\n\r\n")]
    public void A_chunked_body_ends_after_the_last_chunk_and_trailers_however_it_is_split(string chunks)
    {
        var bytes = Encoding.Latin1.GetBytes(chunks + "NEXT");
        for (var split = 0; split <= bytes.Length; split++)
        {
            var body = For("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n");
            var taken = body.Consume(bytes.AsSpan(0, split));
            if (!body.Done)
            {
                taken += body.Consume(bytes.AsSpan(split));
            }

            Assert.True(body.Done, $"split at {split}");
            Assert.Equal(chunks.Length, taken);
            Assert.True(body.KeepAlive);
        }
    }

    [Theory]
    [InlineData("HTTP/1.1 204 No Content\r\n", false)]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n", false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", true)]
    public void No_body_after_204_304_or_a_head_request(string head, bool headRequest)
    {
        var body = For(head, headRequest);
        Assert.True(body.Done);
        Assert.Equal(0, body.Consume("x"u8));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n")]
    public void Without_a_usable_length_the_body_ends_with_the_close_and_the_connection_is_not_kept(string head)
    {
        var body = For(head);
        Assert.True(body.UntilClose);
        Assert.False(body.KeepAlive);
        Assert.Equal(4, body.Consume("data"u8));
        Assert.False(body.Done);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n")]
    public void Close_or_http_1_0_ends_the_message_but_the_connection_is_not_kept(string head)
    {
        var body = For(head);
        Assert.Equal(1, body.Consume("x"u8));
        Assert.True(body.Done);
        Assert.False(body.KeepAlive);
    }

    [Fact]
    public void A_bad_chunk_framing_falls_back_to_until_close_and_garbage_is_no_status_line()
    {
        var body = For("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n");
        Assert.Equal(6, body.Consume("zz\r\nab"u8));
        Assert.True(body.UntilClose);
        Assert.False(body.KeepAlive);
        Assert.Null(HttpResponseBody.For("garbage\r\n"u8, false));
    }
}
