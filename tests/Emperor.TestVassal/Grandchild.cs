using System.Diagnostics;

namespace Emperor.TestVassal;

/// <summary>
/// <c>--spawn-child</c>: starts a copy of this program that only sleeps (<c>--grandchild</c>), in our
/// process group, as an app's worker would be, so tests can check that whole groups are killed.
/// </summary>
internal static class Grandchild
{
    public static int Spawn()
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            // Run as `dotnet testvassal.dll`: the program is the dll, not the host.
            start.ArgumentList.Add(typeof(Grandchild).Assembly.Location);
        }

        start.ArgumentList.Add("--grandchild");

        // It keeps the rest of the environment (a test's token included) but none of our settings,
        // or it would report, notify or spawn in turn.
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("TESTVASSAL_", StringComparison.Ordinal) || key is "UWSGI_EMPEROR_FD" or "NOTIFY_SOCKET")
            {
                _ = start.Environment.Remove(key);
            }
        }

        using var process = Process.Start(start)!;
        return process.Id;
    }
}
