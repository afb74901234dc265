using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using Emperor.Core.Control;
using Emperor.Core.Logs;

namespace Emperor.Cli.Control;

/// <summary>
/// <c>emperor logs NAME [-f] [-n N]</c>, <c>emperor logs --all [-f] [-n N]</c> and <c>emperor logs --reopen</c>: a
/// vassal's last lines from the Emperor's ring (whether or not <c>--emperor-log-dir</c> is set), then with
/// <c>-f</c> every new line, like <c>supervisorctl tail -f</c> and <c>pm2 logs</c> (docs/logs.md). One vassal's lines
/// are printed as they were written; with <c>--all</c> each is prefixed with <c>[NAME]</c>.
/// </summary>
internal static class LogsCommand
{
    public static Command Create(Option<string> socketOption, Option<string> idOption)
    {
        var name = new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne, Description = "The vassal" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until interrupted" };
        var lines = new Option<int>("--lines", "-n") { Description = "How many of the last lines to print first", DefaultValueFactory = _ => 10 };
        var all = new Option<bool>("--all") { Description = "Every vassal's lines, merged, each prefixed with [NAME]" };
        var reopen = new Option<bool>("--reopen") { Description = "Reopen every log file (after logrotate moved them)" };
        var json = new Option<bool>("--json") { Description = "Print each line as the JSON object the Emperor sends (time, vassal, pid, stream, line)" };
        var command = new Command("logs", "Print a vassal's last lines (-f: and follow them), every vassal's with --all; --reopen reopens the log files");
        command.Arguments.Add(name);
        foreach (var o in new Option[] { follow, lines, all, reopen, json, socketOption, idOption })
        {
            command.Options.Add(o);
        }

        command.SetAction(r =>
        {
            var target = new Target(string.Empty, r.GetValue(socketOption)!, r.GetValue(idOption)!);
            var vassal = r.GetValue(name);
            if (r.GetValue(reopen))
            {
                return vassal is null && !r.GetValue(all) && !r.GetValue(follow)
                    ? Run(target, new LogRequest(true, 0, false, null), false, false)
                    : ControlCommands.Fail("logs --reopen takes no vassal name, --all or -f");
            }

            if (r.GetValue(all) == (vassal is not null))
            {
                return ControlCommands.Fail("logs needs a vassal name or --all (not both)");
            }

            var count = r.GetValue(lines);
            if (count is < 0 or > LogRequest.MaxCount)
            {
                return ControlCommands.Fail($"logs -n: from 0 to {LogRequest.MaxCount}");
            }

            return Run(target, new LogRequest(false, count, r.GetValue(follow), vassal), vassal is null, r.GetValue(json));
        });
        return command;
    }

    private static int Run(Target target, LogRequest request, bool prefix, bool json)
    {
        if (!ControlCommands.TryLocate(target, out var path))
        {
            return 1;
        }

        try
        {
            return StreamAsync(path, request, prefix, json).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or FormatException or IOException)
        {
            return ControlCommands.Fail($"cannot reach the Emperor at {path}: {ControlCommands.Reason(e)}");
        }
    }

    private static async Task<int> StreamAsync(string path, LogRequest request, bool prefix, bool json)
    {
        using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var socket = await EndpointClient.ConnectAsync(path, connect.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.Encode() + "\n"), SocketFlags.None, connect.Token);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, new UTF8Encoding(false));
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
        var first = true;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (first && (line.StartsWith("error ", StringComparison.Ordinal) || line.StartsWith("ok", StringComparison.Ordinal)))
            {
                if (line.StartsWith("ok", StringComparison.Ordinal))
                {
                    Console.WriteLine(line.Length > 3 ? line[3..] : line);
                    return 0;
                }

                return ControlCommands.Fail(line[6..]);
            }

            first = false;
            if (json)
            {
                await stdout.WriteLineAsync(line);
            }
            else if (LogLineFormatter.ParseJson(line) is { } parsed)
            {
                await stdout.WriteLineAsync(prefix ? $"[{parsed.Vassal}] {parsed.Text}" : parsed.Text);
            }
            else if (line.StartsWith("{\"dropped\":", StringComparison.Ordinal))
            {
                await stdout.FlushAsync();
                Console.Error.WriteLine($"emperor: {line[11..^1]} lines were dropped here (this reader did not keep up)");
            }

            if (!stream.DataAvailable)
            {
                await stdout.FlushAsync();
            }
        }

        await stdout.FlushAsync();
        return 0;
    }
}
