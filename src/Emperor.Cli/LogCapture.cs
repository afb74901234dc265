using Emperor.Core.Emperor;
using Emperor.Hosting.Logs;
using Emperor.Unix.Logs;
using Microsoft.Extensions.Logging;

namespace Emperor.Cli;

/// <summary>
/// The Emperor role's vassal output (docs/logs.md): the hub with its sink (the log directory, or the Emperor's own
/// stdout and stderr), and the capture thread that feeds it. Disposed after the loop ended: the capture first (it
/// publishes what the pipes still hold), then the hub (it writes what is queued).
/// </summary>
internal sealed class LogCapture : IDisposable
{
    private LogCapture(LogHub hub, OutputCapture capture)
    {
        Hub = hub;
        Capture = capture;
    }

    public LogHub Hub { get; }

    public OutputCapture Capture { get; }

    /// <summary>Null with the reason when the log directory cannot be created.</summary>
    public static LogCapture? Start(EmperorSettings settings, ILogger logger, out string? error)
    {
        error = null;
        ILogSink sink;
        if (settings.LogDir is { } dir)
        {
            try
            {
                Directory.CreateDirectory(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"--emperor-log-dir {dir}: {e.Message}";
                return null;
            }

            sink = new DirectoryLogSink(Path.GetFullPath(dir), settings.LogMaxSize, settings.LogBackups, settings.LogFormat, logger);
        }
        else
        {
            // The console streams write(2) at the fd's own offset; a FileStream would pwrite over the Emperor's log lines.
            sink = new StreamLogSink(Console.OpenStandardOutput(), Console.OpenStandardError(), settings.LogFormat);
        }

        var hub = new LogHub(sink, logger);
        return new LogCapture(hub, new OutputCapture(hub.Publish, TimeProvider.System));
    }

    public void Dispose()
    {
        Capture.Dispose();
        Hub.Dispose();
    }
}
