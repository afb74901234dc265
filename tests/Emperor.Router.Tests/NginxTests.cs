using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Emperor.Core.Subscriptions;
using Emperor.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emperor.Router.Tests;

/// <summary>
/// The deployment the seed describes: a real nginx with <c>uwsgi_pass</c> in front of our fastrouter, which routes by
/// Host to a real uWSGI app that subscribed itself (<c>--subscribe-to</c>) and to an HTTP app announced with
/// <c>proto=http</c> (as the Emperor announces a vassal on an <c>http-socket</c>).
/// </summary>
public sealed class NginxTests
{
    private const string Nginx = "/usr/sbin/nginx";

    private const string WsgiApp = """
        def application(environ, start_response):
            body = ('wsgi %s %s' % (environ['HTTP_HOST'], environ['PATH_INFO'])).encode()
            start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
            return [body]
        """;

    /// <summary>An HTTP/1.1 server on argv[1]: answers "http METHOD PATH BODY" and closes.</summary>
    private const string HttpApp = """
        import socket, sys
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", int(sys.argv[1])))
        s.listen(16)
        while True:
            c, _ = s.accept()
            data = b""
            while b"\r\n\r\n" not in data:
                data += c.recv(4096)
            head, body = data.split(b"\r\n\r\n", 1)
            lines = head.decode().split("\r\n")
            length = 0
            for l in lines[1:]:
                k, v = l.split(":", 1)
                if k.lower() == "content-length":
                    length = int(v)
            while len(body) < length:
                body += c.recv(4096)
            method, path, _ = lines[0].split(" ")
            out = ("http %s %s %s" % (method, path, body.decode())).encode()
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(out) + out)
            c.close()
        """;

    [Fact(Timeout = 90_000)]
    public async Task Nginx_uwsgi_pass_reaches_a_uwsgi_node_and_an_http_node_through_the_fastrouter()
    {
        Assert.True(File.Exists(Nginx), $"{Nginx} is missing: install nginx-light (scripts/test does)");
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("nginx");
        var (subscriptions, fastPort, nginxPort, wsgiPort, httpPort) = (FreePort.Tcp(), FreePort.Tcp(), FreePort.Tcp(), FreePort.Tcp(), FreePort.Tcp());
        var table = new SubscriptionTable(TimeProvider.System);
        using var server = new SubscriptionServer($"127.0.0.1:{subscriptions}", table, NullLogger.Instance, TimeProvider.System);
        using var fast = new Front("fastrouter", $"127.0.0.1:{fastPort}", table, TimeSpan.FromSeconds(10), NullLogger.Instance);
        server.Bind();
        fast.Bind();
        using var stop = new CancellationTokenSource();
        var loops = new[] { server.RunAsync(stop.Token), fast.RunAsync(stop.Token) };

        Directory.CreateDirectory(Path.Combine(dir.Path, "tmp"));
        var conf = dir.WriteFile("nginx.conf", $$"""
            worker_processes 1;
            daemon off;
            error_log {{dir.Path}}/error.log;
            pid {{dir.Path}}/nginx.pid;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path {{dir.Path}}/tmp/body;
                proxy_temp_path {{dir.Path}}/tmp/proxy;
                fastcgi_temp_path {{dir.Path}}/tmp/fastcgi;
                uwsgi_temp_path {{dir.Path}}/tmp/uwsgi;
                scgi_temp_path {{dir.Path}}/tmp/scgi;
                server {
                    listen 127.0.0.1:{{nginxPort}};
                    location / {
                        include /etc/nginx/uwsgi_params;
                        uwsgi_pass 127.0.0.1:{{fastPort}};
                    }
                }
            }
            """);
        var http = dir.WriteFile("http.py", HttpApp);
        var wsgi = dir.WriteFile("app.py", WsgiApp);
        var processes = new List<Process>();
        try
        {
            processes.Add(Start(Nginx, "-p", dir.Path, "-c", conf));
            processes.Add(Start("/usr/bin/uwsgi-core", "--plugin", "python3", "--master", "--socket", $"127.0.0.1:{wsgiPort}", "--wsgi-file", wsgi, "--subscribe-to", $"127.0.0.1:{subscriptions}:wsgi.example", "--subscribe-freq", "1"));
            processes.Add(Start("python3", http, httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            table.Apply(new SubscriptionPacket(SubscriptionCommand.Subscribe, "http.example", $"127.0.0.1:{httpPort}") { Extra = [new("proto", "http")] });
            await Wait.UntilAsync(() => table.Snapshot().Any(n => n.Key == "wsgi.example"), Deadlines.Emperor, "uwsgi's subscription", cancel);

            Assert.Equal("200 wsgi wsgi.example /a", await EventuallyAsync(nginxPort, "GET", "wsgi.example", "/a", null, cancel));
            Assert.Equal("200 http POST /form?x=1 hello", await EventuallyAsync(nginxPort, "POST", "http.example", "/form?x=1", "hello", cancel));
            Assert.StartsWith("502", await RequestAsync(nginxPort, "GET", "nobody.example", "/", null, cancel), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync(CancellationToken.None);
                }

                p.Dispose();
            }

            await stop.CancelAsync();
            await Task.WhenAll(loops);
        }
    }

    private static Process Start(string program, params string[] arguments) =>
        Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;

    /// <summary>Asks until nginx is up and the answer is not a 502 (nginx and the apps start in parallel).</summary>
    private static async Task<string> EventuallyAsync(int port, string method, string host, string path, string? body, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var last = string.Empty;
        while (clock.Elapsed < Deadlines.Emperor)
        {
            try
            {
                last = await RequestAsync(port, method, host, path, body, cancel);
                if (!last.StartsWith("502", StringComparison.Ordinal))
                {
                    return last;
                }
            }
            catch (SocketException e)
            {
                last = e.Message;
            }

            await Task.Delay(Wait.PollInterval, cancel);
        }

        throw new TimeoutException($"{method} {host}{path} through nginx: last answer {last}");
    }

    /// <summary>One HTTP/1.0 request: "STATUS BODY".</summary>
    private static async Task<string> RequestAsync(int port, string method, string host, string path, string? body, CancellationToken cancel)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancel);
        var stream = client.GetStream();
        var content = body is null ? string.Empty : $"Content-Type: text/plain\r\nContent-Length: {body.Length}\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.0\r\nHost: {host}\r\n{content}\r\n{body}"), cancel);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync(cancel).WaitAsync(Deadlines.Emperor, cancel);
        return response.Split(' ', 3)[1] + " " + response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }
}
