using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Emperor.Cli.Control;

/// <summary>
/// <c>emperor ls | stats | reload | stop | start | pardon | rescan</c>: talk to a running Emperor through its
/// stats socket (<c>--stats</c>, default <c>$EMPEROR_STATS</c>) and command socket (<c>--socket</c>, default
/// <c>$EMPEROR_COMMAND_SOCKET</c>). Failures are one line on stderr and a non-zero exit.
/// </summary>
internal static class ControlCommands
{
    public static readonly string[] Verbs = ["ls", "stats", "reload", "stop", "start", "pardon", "rescan"];

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    public static int Run(string[] args)
    {
        var statsOption = new Option<string>("--stats")
        {
            Description = "The Emperor's stats address (--emperor-stats): host:port or a UNIX socket path",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EMPEROR_STATS") ?? string.Empty,
        };
        var socketOption = new Option<string>("--socket")
        {
            Description = "The Emperor's command socket (--emperor-command-socket)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EMPEROR_COMMAND_SOCKET") ?? string.Empty,
        };
        var jsonOption = new Option<bool>("--json") { Description = "Print JSON for scripts instead of a table" };
        var allOption = new Option<bool>("--all") { Description = "Reload every vassal" };

        var root = new RootCommand("Control a running Emperor");

        var ls = new Command("ls", "List the vassals: state, pid, uptime, loyalty, restarts, last exit, status, source");
        ls.Options.Add(statsOption);
        ls.Options.Add(jsonOption);
        ls.SetAction(r => Ls(r.GetValue(statsOption)!, r.GetValue(jsonOption)));
        root.Subcommands.Add(ls);

        var stats = new Command("stats", "Print the stats document, pretty");
        stats.Options.Add(statsOption);
        stats.SetAction(r => Stats(r.GetValue(statsOption)!));
        root.Subcommands.Add(stats);

        var reloadName = new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne, Description = "The vassal to reload" };
        var reload = new Command("reload", "Reload one vassal, or every vassal with --all");
        reload.Arguments.Add(reloadName);
        reload.Options.Add(allOption);
        reload.Options.Add(socketOption);
        reload.SetAction(r =>
        {
            var name = r.GetValue(reloadName);
            var all = r.GetValue(allOption);
            if (all == (name is not null))
            {
                return Fail("reload needs a vassal name or --all (not both)");
            }

            return Send(r.GetValue(socketOption)!, all ? "reload-all" : "reload " + name);
        });
        root.Subcommands.Add(reload);

        foreach (var (verb, help) in new[] { ("stop", "Stop a vassal and hold it until started"), ("start", "Start a held, blacklisted or exiled vassal now") })
        {
            var nameArgument = new Argument<string>("name") { Description = "The vassal" };
            var command = new Command(verb, help);
            command.Arguments.Add(nameArgument);
            command.Options.Add(socketOption);
            command.SetAction(r => Send(r.GetValue(socketOption)!, verb + " " + r.GetValue(nameArgument)));
            root.Subcommands.Add(command);
        }

        foreach (var (verb, help) in new[] { ("pardon", "Clear the blacklist (as SIGURG)"), ("rescan", "Scan every source now (as SIGWINCH)") })
        {
            var command = new Command(verb, help);
            command.Options.Add(socketOption);
            command.SetAction(r => Send(r.GetValue(socketOption)!, verb));
            root.Subcommands.Add(command);
        }

        return root.Parse(args).Invoke();
    }

    private static int Ls(string address, bool json)
    {
        if (!TryFetch(address, out var doc))
        {
            return 1;
        }

        using (doc)
        {
            if (json)
            {
                var rows = LsRenderer.Rows(doc.RootElement);
                using var stream = Console.OpenStandardOutput();
                using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                writer.WriteStartArray();
                foreach (var row in rows)
                {
                    writer.WriteStartObject();
                    for (var i = 0; i < LsRenderer.Columns.Length; i++)
                    {
                        writer.WriteString(LsRenderer.Columns[i].ToLowerInvariant().Replace(' ', '_'), row[i]);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.Flush();
                stream.Write("\n"u8);
                return 0;
            }

            var console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                // Piped into less, grep or a file: no terminal width to fit, so do not wrap cells.
                console.Profile.Width = 400;
            }

            LsRenderer.Write(console, doc.RootElement);
            return 0;
        }
    }

    private static int Stats(string address)
    {
        if (!TryFetch(address, out var doc))
        {
            return 1;
        }

        using (doc)
        {
            using var stream = Console.OpenStandardOutput();
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            doc.RootElement.WriteTo(writer);
            writer.Flush();
            stream.Write("\n"u8);
            return 0;
        }
    }

    private static bool TryFetch(string address, out JsonDocument doc)
    {
        doc = null!;
        if (address.Length == 0)
        {
            Fail("no stats address: pass --stats ADDR (the Emperor's --emperor-stats) or set EMPEROR_STATS");
            return false;
        }

        string text;
        try
        {
            text = EndpointClient.ExchangeAsync(address, null, s_timeout).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or FormatException or IOException)
        {
            Fail($"cannot read stats from {address}: {Reason(e)} (is an Emperor running with --emperor-stats {address}?)");
            return false;
        }

        try
        {
            doc = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException e)
        {
            Fail($"{address} did not answer with a stats document: {e.Message}");
            return false;
        }
    }

    private static int Send(string path, string request)
    {
        if (path.Length == 0)
        {
            return Fail("no command socket: pass --socket PATH (the Emperor's --emperor-command-socket) or set EMPEROR_COMMAND_SOCKET");
        }

        string reply;
        try
        {
            reply = EndpointClient.ExchangeAsync(path, request + "\n", s_timeout).GetAwaiter().GetResult().TrimEnd('\n');
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or FormatException or IOException)
        {
            return Fail($"cannot reach the Emperor at {path}: {Reason(e)} (is it running with --emperor-command-socket {path}?)");
        }

        if (reply.StartsWith("ok", StringComparison.Ordinal))
        {
            Console.WriteLine(reply.Length > 3 ? reply[3..] : reply);
            return 0;
        }

        return Fail(reply.StartsWith("error ", StringComparison.Ordinal) ? reply[6..] : $"unexpected reply: {reply}");
    }

    private static string Reason(Exception e) => e switch
    {
        SocketException s => s.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.AccessDenied => "permission denied",
            SocketError.AddressNotAvailable or SocketError.HostNotFound => "no such address",
            _ => s.Message,
        },
        OperationCanceledException => "timed out",
        _ => e.Message,
    };

    private static int Fail(string message)
    {
        var err = new StringBuilder("emperor: ").Append(message);
        Console.Error.WriteLine(err.ToString());
        return 1;
    }
}
