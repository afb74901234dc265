using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Emperor.Core.VassalRole;
using Emperor.Unix.Accounts;
using Emperor.Unix.Interop;

namespace Emperor.Vassal;

/// <summary>
/// Runs the hooks of one phase in order (uWSGI 2.0 core/hooks.c semantics; phases in docs/jails.md). The first one
/// that fails ends the vassal start with one line naming the option, the hook and the reason.
/// </summary>
/// <remarks>
/// Everything here runs on the thread that later execs the program, so a command started by <c>exec</c> inherits the
/// namespaces, root, credentials and capabilities of that moment. Commands run as <c>/bin/sh -c COMMAND</c> with the
/// vassal's environment and stdout/stderr, as uWSGI runs them.
/// </remarks>
internal static class Hooks
{
    public static void Run(JailPlan jail, HookPhase phase)
    {
        foreach (var hook in jail.Hooks)
        {
            if (hook.Phase == phase)
            {
                var failure = RunOne(hook);
                if (failure is not null)
                {
                    throw new VassalFailure($"{hook.Describe()}: {failure}");
                }
            }
        }
    }

    /// <summary>Null on success, else why it failed.</summary>
    private static string? RunOne(HookSpec hook)
    {
        var arg = hook.Argument;
        switch (hook.Action)
        {
            case "exec":
                return Exited(Shell(arg));
            case "safeexec":
                Shell(arg);
                return null;
            case "cd" or "chdir":
                return Sys.chdir(arg) == 0 ? null : Errno("chdir()");
            case "mkdir":
                return Sys.mkdir(arg, Convert.ToUInt32("777", 8)) == 0 ? null : Errno("mkdir()");
            case "putenv":
                var eq = arg.IndexOf('=', StringComparison.Ordinal);
                Environment.SetEnvironmentVariable(eq < 0 ? arg : arg[..eq], eq < 0 ? null : arg[(eq + 1)..]);
                return null;
            case "unlink":
                return Sys.unlink(arg) == 0 ? null : Errno("unlink()");
            case "create" or "creat":
                return WriteFile(arg, ReadOnlySpan<byte>.Empty, Sys.O_TRUNC);
            case "write" or "writen" or "append" or "appendn":
                return WriteText(hook.Action, arg);
            case "writefifo":
                return WriteFifo(arg);
            case "chmod":
                return Chmod(arg);
            case "sticky":
                return Sticky(arg);
            case "chown" or "chown2":
                return Chown(arg, numeric: hook.Action == "chown2");
            case "hostname":
                return Hostname(arg);
            case "print" or "log":
                Console.Error.WriteLine(arg);
                return null;
            case "exit":
                Environment.Exit(int.TryParse(arg, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : 0);
                return null;
            default:
                return $"unknown hook action {hook.Action}"; // the planner lets only supported actions through
        }
    }

    private static int Shell(string command)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start) ?? throw new VassalFailure($"cannot start /bin/sh -c {command}");
        process.WaitForExit();
        return process.ExitCode;
    }

    private static string? Exited(int code) => code == 0 ? null : $"the command exited with code {code}";

    private static string? WriteText(string action, string arg)
    {
        var space = arg.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0 && action != "appendn")
        {
            return "expected FILE TEXT";
        }

        var path = space < 0 ? arg : arg[..space];
        var text = space < 0 ? string.Empty : arg[(space + 1)..];
        if (action is "writen" or "appendn")
        {
            text += "\n";
        }

        return WriteFile(path, Encoding.UTF8.GetBytes(text), action.StartsWith("append", StringComparison.Ordinal) ? Sys.O_APPEND : Sys.O_TRUNC);
    }

    private static unsafe string? WriteFile(string path, ReadOnlySpan<byte> bytes, int mode)
    {
        var fd = Sys.open(path, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_CLOEXEC | mode, Convert.ToInt32("666", 8));
        return fd < 0 ? Errno($"open({path})") : WriteAndClose(fd, bytes);
    }

    private static string? WriteFifo(string arg)
    {
        var space = arg.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return "expected FIFO TEXT";
        }

        var fd = Sys.open(arg[..space], Sys.O_WRONLY | Sys.O_NONBLOCK | Sys.O_CLOEXEC, 0);
        if (fd < 0)
        {
            // No reader on the fifo (ENXIO) or no such device: nothing to tell, as uWSGI sees it.
            var errno = Marshal.GetLastPInvokeError();
            return errno is 6 or 19 ? null : $"open({arg[..space]}): {Sys.strerror(errno)}";
        }

        return WriteAndClose(fd, Encoding.UTF8.GetBytes(arg[(space + 1)..]));
    }

    private static unsafe string? WriteAndClose(int fd, ReadOnlySpan<byte> bytes)
    {
        try
        {
            fixed (byte* p = bytes)
            {
                return bytes.Length == 0 || Sys.write(fd, p, (nuint)bytes.Length) == bytes.Length ? null : Errno("write()");
            }
        }
        finally
        {
            Sys.close(fd);
        }
    }

    private static string? Chmod(string arg)
    {
        var parts = arg.Split(' ', 2);
        if (parts.Length != 2)
        {
            return "expected FILE MODE";
        }

        try
        {
            File.SetUnixFileMode(parts[0], (UnixFileMode)Convert.ToInt32(parts[1], 8));
            return null;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return $"invalid mode {parts[1]}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"chmod(): {e.Message}";
        }
    }

    private static string? Sticky(string arg)
    {
        try
        {
            File.SetUnixFileMode(arg, File.GetUnixFileMode(arg) | UnixFileMode.StickyBit);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"chmod(): {e.Message}";
        }
    }

    private static string? Chown(string arg, bool numeric)
    {
        var parts = arg.Split(' ');
        if (parts.Length != 3)
        {
            return "expected FILE USER GROUP";
        }

        if (numeric && !(uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _) && uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return "chown2 takes a numeric uid and gid";
        }

        if (!Accounts.TryUser(parts[1], out var uid, out _, out _))
        {
            return $"no such user {parts[1]}";
        }

        if (!Accounts.TryGroup(parts[2], out var gid))
        {
            return $"no such group {parts[2]}";
        }

        return Sys.chown(parts[0], uid, gid) == 0 ? null : Errno("chown()");
    }

    private static unsafe string? Hostname(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
        {
            return Sys.sethostname(p, (nuint)bytes.Length) == 0 ? null : Errno("sethostname()");
        }
    }

    private static string Errno(string call) => $"{call}: {Sys.strerror(Marshal.GetLastPInvokeError())}";
}
