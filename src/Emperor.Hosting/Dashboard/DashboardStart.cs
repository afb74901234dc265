using Emperor.Core.Control;
using Emperor.Core.Stats;
using Emperor.Hosting.Logs;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Dashboard;

/// <summary>Reads the auth file and binds the dashboard; an <see cref="IOException"/> with one line when either fails.</summary>
internal static class DashboardStart
{
    public static DashboardServer Open(
        string address, string? authFile, Func<Task<EmperorStats>> stats, Func<ControlCommand, Task<string>> execute, LogHub? logs, ILogger logger)
    {
        DashboardAuth? auth = null;
        if (authFile is not null)
        {
            string text;
            try
            {
                text = File.ReadAllText(authFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"--emperor-dashboard-auth {authFile}: {e.Message}", e);
            }

            auth = DashboardAuth.Parse(text, authFile, out var error) ?? throw new IOException("--emperor-dashboard-auth " + error);
        }

        var server = new DashboardServer(address, stats, execute, logs, auth, logger);
        server.Start();
        return server;
    }
}
