using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Emperor.Core.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Emperor.Router;

/// <summary>
/// <c>emperor --fastrouter ADDR --fastrouter-subscription-server ADDR</c> (or a vassal file with those options): a router
/// configured as uWSGI configures its FastRouter and HTTP router. Runs until SIGINT/SIGTERM/SIGQUIT, or, as a vassal,
/// until the Emperor sends the stop byte or goes away.
/// </summary>
internal static class RouterRole
{
    /// <summary>The options this role implements; any other router option is refused with one line.</summary>
    private static readonly HashSet<string> s_known = new(StringComparer.Ordinal)
    {
        "fastrouter", "http", "fastrouter-subscription-server", "http-subscription-server", "subscription-tolerance",
        "fastrouter-timeout", "http-timeout", "fastrouter-stats", "http-stats", "fastrouter-stats-server", "http-stats-server",

        // uWSGI's http router keeps client connections only with it; ours always does when the response delimits itself.
        "http-keepalive",
    };

    /// <summary>Whether these options make a router (a front is declared and there is no program to run).</summary>
    public static bool Wants(IReadOnlyList<KeyValuePair<string, string>> options) =>
        options.Any(o => o.Key is "fastrouter" or "http")
        && !options.Any(o => o.Key.EndsWith("binary-patch", StringComparison.Ordinal) || o.Key.EndsWith("binary-patch-arg", StringComparison.Ordinal) || o.Key == "emperor");

    /// <summary>Router options we do not implement (one line each), from every option of the config.</summary>
    public static List<string> Refused(IReadOnlyList<KeyValuePair<string, string>> options) =>
        [.. options.Select(o => o.Key)
            .Where(k => (k.StartsWith("fastrouter", StringComparison.Ordinal) || k.StartsWith("subscription-", StringComparison.Ordinal)
                         || k.StartsWith("subscriptions-", StringComparison.Ordinal) || k == "https" || k.StartsWith("https-", StringComparison.Ordinal)
                         || (k.StartsWith("http-", StringComparison.Ordinal) && !k.StartsWith("http-socket", StringComparison.Ordinal)))
                        && !s_known.Contains(k))
            .Distinct()
            .Select(k => $"option {k} is not implemented by this router; run the router under the real uWSGI (--binary-path) if you need it")
            .Concat(options
                .Where(o => o.Key is "subscription-tolerance" or "fastrouter-timeout" or "http-timeout"
                            && !(int.TryParse(o.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0))
                .Select(o => $"{o.Key} = {o.Value}: expected a whole number of seconds above 0"))];

    public static int Run(IReadOnlyList<KeyValuePair<string, string>> options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("router");
        var refused = Refused(options);
        foreach (var line in refused)
        {
            Console.Error.WriteLine("emperor: router: " + line);
        }

        if (refused.Count > 0)
        {
            return 1;
        }

        var tolerance = Seconds(options, "subscription-tolerance") ?? SubscriptionTable.DefaultTolerance;
        var table = new SubscriptionTable(TimeProvider.System, tolerance, SubscriptionTable.DefaultDeadRetry);
        var fronts = new List<Front>();
        var servers = new List<SubscriptionServer>();
        using var stop = new CancellationTokenSource();
        try
        {
            foreach (var (key, value) in options)
            {
                switch (key)
                {
                    case "fastrouter" or "http":
                        var timeout = Seconds(options, key + "-timeout") ?? TimeSpan.FromSeconds(60);
                        var front = new Front(key, value, table, timeout, logger);
                        fronts.Add(front);
                        front.Bind();
                        RouterLog.FrontEnabled(logger, key, value);
                        break;
                    case "fastrouter-subscription-server" or "http-subscription-server":
                        var server = new SubscriptionServer(value, table, logger, TimeProvider.System);
                        servers.Add(server);
                        server.Bind();
                        RouterLog.SubscriptionEnabled(logger, value);
                        break;
                    default:
                        break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or FormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("emperor: router: cannot bind: " + e.Message);
            fronts.ForEach(f => f.Dispose());
            servers.ForEach(s => s.Dispose());
            return 1;
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => { c.Cancel = true; stop.Cancel(); });
        var tasks = fronts.Select(f => f.RunAsync(stop.Token)).Concat(servers.Select(s => s.RunAsync(stop.Token))).ToList();
        tasks.Add(SweepAsync(table, logger, stop.Token));
        var stats = options.Where(o => o.Key is "fastrouter-stats" or "http-stats" or "fastrouter-stats-server" or "http-stats-server").Select(o => o.Value).ToList();
        foreach (var address in stats)
        {
            tasks.Add(StatsAsync(address, table, fronts, servers, stop.Token));
        }

        WatchEmperor(stop);
        try
        {
            Task.WaitAny([.. tasks, Task.Delay(Timeout.Infinite, stop.Token)]);
            stop.Cancel();
        }
        catch (OperationCanceledException)
        {
        }

        fronts.ForEach(f => f.Dispose());
        servers.ForEach(s => s.Dispose());
        return 0;
    }

    /// <summary>As a vassal: ready (byte 1) and accepting (byte 5) at once; the stop byte or the link's end stops us.</summary>
    private static void WatchEmperor(CancellationTokenSource stop)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("UWSGI_EMPEROR_FD"), NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
        {
            return;
        }

        var link = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            link.Send([1, 5]);
        }
        catch (SocketException)
        {
            stop.Cancel();
            return;
        }

        _ = Task.Run(async () =>
        {
            var one = new byte[1];
            try
            {
                while (true)
                {
                    var n = await link.ReceiveAsync(one, SocketFlags.None).ConfigureAwait(false);
                    if (n == 0 || one[0] is 0 or 2)
                    {
                        break; // the Emperor is gone, or asked us to stop
                    }
                }
            }
            catch (SocketException)
            {
            }

            stop.Cancel();
        });
    }

    private static async Task SweepAsync(SubscriptionTable table, ILogger logger, CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancel).ConfigureAwait(false))
            {
                foreach (var node in table.Sweep())
                {
                    RouterLog.Expired(logger, node.Key, node.Address);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary><c>fastrouter-stats ADDR</c>: one JSON document per connection, as uWSGI's stats servers do.</summary>
    private static async Task StatsAsync(string address, SubscriptionTable table, List<Front> fronts, List<SubscriptionServer> servers, CancellationToken cancel)
    {
        using var listener = Front.Listen(address);
        while (!cancel.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            using (client)
            {
                var buffer = new MemoryStream();
                using (var json = new Utf8JsonWriter(buffer))
                {
                    json.WriteStartObject();
                    json.WriteNumber("pid", Environment.ProcessId);
                    json.WriteStartArray("fronts");
                    foreach (var f in fronts)
                    {
                        json.WriteStartObject();
                        json.WriteString("kind", f.Kind);
                        json.WriteString("address", f.Address);
                        json.WriteNumber("requests", f.Requests);
                        json.WriteNumber("unrouted", f.Unrouted);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteNumber("bad_subscription_packets", servers.Sum(s => s.BadPackets));
                    json.WriteStartArray("subscriptions");
                    foreach (var n in table.Snapshot())
                    {
                        json.WriteStartObject();
                        json.WriteString("key", n.Key);
                        json.WriteString("node", n.Address);
                        json.WriteNumber("weight", n.Weight);
                        json.WriteString("proto", n.Proto);
                        json.WriteNumber("requests", n.Requests);
                        json.WriteNumber("failures", n.Failures);
                        json.WriteNumber("last_announce", n.LastAnnounce.ToUnixTimeSeconds());
                        json.WriteBoolean("dead", n.Dead);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                try
                {
                    await client.SendAsync(buffer.ToArray(), SocketFlags.None, cancel).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                }
            }
        }
    }

    private static TimeSpan? Seconds(IReadOnlyList<KeyValuePair<string, string>> options, string key)
    {
        var last = options.LastOrDefault(o => o.Key == key).Value;
        return last is not null && int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? TimeSpan.FromSeconds(n) : null;
    }
}
