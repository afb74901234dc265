using System.Diagnostics;
using System.Globalization;
using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>
/// A user with a supplementary group, created for this test run (useradd/groupadd) and removed afterwards:
/// initgroups and tyrant mode take "the account's groups", and no stock account (nobody) has any.
/// The user's primary group is nogroup (65534); it is a member of <see cref="GroupName"/>.
/// </summary>
public sealed class ThrowawayAccount : IDisposable
{
    public const int Nobody = 65534;
    public const int Nogroup = 65534;

    /// <summary>A uid and a gid with no account and no group entry.</summary>
    public const int NoAccountUid = 4242;

    public const int NoAccountGid = 4343;

    public ThrowawayAccount()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        UserName = "evtu" + suffix;
        GroupName = "evtg" + suffix;
        Run("/usr/sbin/groupadd", GroupName);
        try
        {
            Run("/usr/sbin/useradd", "-M", "-N", "-g", "nogroup", "-G", GroupName, "-d", "/nonexistent", "-s", "/usr/sbin/nologin", UserName);
        }
        catch
        {
            Run("/usr/sbin/groupdel", GroupName);
            throw;
        }

        Uid = int.Parse(Run("/usr/bin/id", "-u", UserName), CultureInfo.InvariantCulture);
        SupplementaryGid = int.Parse(Run("/usr/bin/getent", "group", GroupName).Split(':')[2], CultureInfo.InvariantCulture);
    }

    public string UserName { get; }

    public string GroupName { get; }

    public int Uid { get; }

    public int SupplementaryGid { get; }

    public void Dispose()
    {
        Run("/usr/sbin/userdel", UserName);
        Run("/usr/sbin/groupdel", GroupName);
    }

    /// <summary>Runs a command to completion; returns its trimmed stdout, throws on a non-zero exit.</summary>
    public static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = ChildLauncher.Start(start);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            process.WaitForExit();
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within 30 s.");
        }

        return process.ExitCode == 0
            ? stdout.Result.Trim()
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Result.Trim()}");
    }
}
