using System.Net.Sockets;

namespace Emperor.Monitors.Tests;

/// <summary>One plain HTTP/1.0 GET on 127.0.0.1, as a user's curl would.</summary>
internal static class Http
{
    /// <summary>The body of <c>GET /</c> on <paramref name="port"/>, or null when nothing answers HTTP there.</summary>
    public static string? Get(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            client.ReceiveTimeout = 2000;
            using var stream = client.GetStream();
            stream.Write("GET / HTTP/1.0\r\nHost: x\r\n\r\n"u8);
            using var reader = new StreamReader(stream);
            var response = reader.ReadToEnd();
            var body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return response.StartsWith("HTTP/1.", StringComparison.Ordinal) && body > 0 ? response[(body + 4)..] : null;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return null;
        }
    }
}
