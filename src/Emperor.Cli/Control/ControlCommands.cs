using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Emperor.Core.Config.Options;
using Emperor.Hosting.Net;
using Spectre.Console;

namespace Emperor.Cli.Control;

/// <summary>
/// <c>emperor ls | stats | reload | stop | start | pardon | rescan | logs</c>: talk to a running Emperor through its
/// command socket — <c>--socket PATH</c> or <c>$EMPEROR_COMMAND_SOCKET</c>, else found at the default place
/// (<see cref="CommandSocketPlace"/>; <c>--id NAME</c> or <c>$EMPEROR_ID</c> picks one of several) — or, for
/// <c>ls</c> and <c>stats</c>, a stats address (<c>--stats</c>, <c>$EMPEROR_STATS</c>). Failures are one line on
/// stderr and a non-zero exit.
/// </summary>
internal static class ControlCommands
{
    public static readonly string[] Verbs = ["ls", "stats", "reload", "stop", "start", "pardon", "rescan", "logs"];

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
        var idOption = new Option<string>("--id")
        {
            Description = "Which Emperor, by its --emperor-id NAME (when several run here)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EMPEROR_ID") ?? string.Empty,
        };
        var jsonOption = new Option<bool>("--json") { Description = "Print JSON for scripts instead of a table" };
        var allOption = new Option<bool>("--all") { Description = "Reload every vassal" };

        var root = new RootCommand("Control a running Emperor");

        var ls = new Command("ls", "List the vassals: state, pid, uptime, loyalty, restarts, last exit, status, source");
        ls.Options.Add(statsOption);
        ls.Options.Add(socketOption);
        ls.Options.Add(idOption);
        ls.Options.Add(jsonOption);
        ls.SetAction(r => Ls(new Target(r.GetValue(statsOption)!, r.GetValue(socketOption)!, r.GetValue(idOption)!), r.GetValue(jsonOption)));
        root.Subcommands.Add(ls);

        var stats = new Command("stats", "Print the stats document, pretty");
        stats.Options.Add(statsOption);
        stats.Options.Add(socketOption);
        stats.Options.Add(idOption);
        stats.SetAction(r => Stats(new Target(r.GetValue(statsOption)!, r.GetValue(socketOption)!, r.GetValue(idOption)!)));
        root.Subcommands.Add(stats);

        var reloadName = new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne, Description = "The vassal to reload" };
        var reload = new Command("reload", "Reload one vassal, or every vassal with --all");
        reload.Arguments.Add(reloadName);
        reload.Options.Add(allOption);
        reload.Options.Add(socketOption);
        reload.Options.Add(idOption);
        reload.SetAction(r =>
        {
            var name = r.GetValue(reloadName);
            var all = r.GetValue(allOption);
            if (all == (name is not null))
            {
                return Fail("reload needs a vassal name or --all (not both)");
            }

            return Send(new Target(string.Empty, r.GetValue(socketOption)!, r.GetValue(idOption)!), all ? "reload-all" : "reload " + name);
        });
        root.Subcommands.Add(reload);

        foreach (var (verb, help) in new[] { ("stop", "Stop a vassal and hold it until started"), ("start", "Start a held, blacklisted or exiled vassal now") })
        {
            var nameArgument = new Argument<string>("name") { Description = "The vassal" };
            var command = new Command(verb, help);
            command.Arguments.Add(nameArgument);
            command.Options.Add(socketOption);
            command.Options.Add(idOption);
            command.SetAction(r => Send(new Target(string.Empty, r.GetValue(socketOption)!, r.GetValue(idOption)!), verb + " " + r.GetValue(nameArgument)));
            root.Subcommands.Add(command);
        }

        foreach (var (verb, help) in new[] { ("pardon", "Clear the blacklist (as SIGURG)"), ("rescan", "Scan every source now (as SIGWINCH)") })
        {
            var command = new Command(verb, help);
            command.Options.Add(socketOption);
            command.Options.Add(idOption);
            command.SetAction(r => Send(new Target(string.Empty, r.GetValue(socketOption)!, r.GetValue(idOption)!), verb));
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(LogsCommand.Create(socketOption, idOption));
        return root.Parse(args).Invoke();
    }

    private static int Ls(Target target, bool json)
    {
        if (!TryFetch(target, out var doc))
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

    private static int Stats(Target target)
    {
        if (!TryFetch(target, out var doc))
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

    /// <summary>
    /// The stats document: from the stats address when one is given, else from the command socket (its
    /// <c>stats</c> request), found as <see cref="Send"/> finds it.
    /// </summary>
    private static bool TryFetch(Target target, out JsonDocument doc)
    {
        doc = null!;
        string text;
        string where;
        if (target.Stats.Length > 0)
        {
            where = target.Stats;
            try
            {
                text = EndpointClient.ExchangeAsync(target.Stats, null, s_timeout).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or FormatException or IOException)
            {
                Fail($"cannot read stats from {target.Stats}: {Reason(e)} (is an Emperor running with --emperor-stats {target.Stats}?)");
                return false;
            }
        }
        else
        {
            if (!TryLocate(target, out where))
            {
                return false;
            }

            try
            {
                text = EndpointClient.ExchangeAsync(where, "stats\n", s_timeout).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or FormatException or IOException)
            {
                Fail($"cannot reach the Emperor at {where}: {Reason(e)}");
                return false;
            }

            if (text.StartsWith("error ", StringComparison.Ordinal))
            {
                Fail($"the Emperor at {where} does not serve stats on its command socket ({text.TrimEnd('\n')[6..]}): pass --stats ADDR (its --emperor-stats)");
                return false;
            }
        }

        try
        {
            doc = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException e)
        {
            Fail($"{where} did not answer with a stats document: {e.Message}");
            return false;
        }
    }

    /// <summary>
    /// The command socket to use: the given one, else the default place — the Emperor named by --id, the unnamed
    /// one, or the only named one that answers. Says what to pass when there is none or more than one.
    /// </summary>
    internal static bool TryLocate(Target target, out string path)
    {
        path = target.Socket;
        if (path.Length > 0)
        {
            return true;
        }

        var directory = CommandSocketPlace.Directory(Emperor.Unix.Interop.Sys.getuid() == 0);
        if (directory is null)
        {
            Fail("no command socket: XDG_RUNTIME_DIR is not set, so there is no default place; pass --socket PATH (the Emperor's --emperor-command-socket)");
            return false;
        }

        var live = DefaultSockets(directory).Where(s => Answers(s.Path)).ToList();
        if (target.Id.Length > 0)
        {
            var named = Path.Combine(directory, CommandSocketPlace.FileName(target.Id));
            path = named;
            if (live.Any(s => s.Path == named))
            {
                return true;
            }

            Fail($"no running Emperor named \"{target.Id}\" (no answer on {named}){Running(live)}");
            return false;
        }

        if (live.FirstOrDefault(s => s.Id.Length == 0) is { Path: not null } unnamed)
        {
            path = unnamed.Path;
            return true;
        }

        if (live.Count == 1)
        {
            path = live[0].Path;
            return true;
        }

        Fail(live.Count == 0
            ? $"no running Emperor found: nothing answers at {Path.Combine(directory, CommandSocketPlace.FileName(null))} (start one, or pass --socket PATH or --stats ADDR)"
            : $"several Emperors run here{Running(live)}: pick one with --id NAME");
        return false;
    }

    private static string Running(List<(string Id, string Path)> live) =>
        live.Count == 0 ? string.Empty : " (running: " + string.Join(", ", live.Select(s => s.Id.Length == 0 ? "the unnamed one" : s.Id)) + ")";

    private static IEnumerable<(string Id, string Path)> DefaultSockets(string directory)
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(directory, CommandSocketPlace.Prefix + "*" + CommandSocketPlace.Suffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            if (CommandSocketPlace.IdOf(Path.GetFileName(file)) is { } id)
            {
                yield return (id, file);
            }
        }
    }

    private static bool Answers(string path) =>
        ServiceAddress.TryParse(path, out var address, out _) && ServiceSocket.Answers(address);

    private static int Send(Target target, string request)
    {
        if (!TryLocate(target, out var path))
        {
            return 1;
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

    internal static string Reason(Exception e) => e switch
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

    internal static int Fail(string message)
    {
        var err = new StringBuilder("emperor: ").Append(message);
        Console.Error.WriteLine(err.ToString());
        return 1;
    }
}
