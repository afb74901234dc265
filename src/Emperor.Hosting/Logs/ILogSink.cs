using Emperor.Core.Logs;

namespace Emperor.Hosting.Logs;

/// <summary>Where the log writer thread puts captured lines: log files, or the Emperor's own stream.</summary>
internal interface ILogSink : IDisposable
{
    /// <summary>Writes one line; false if it was dropped (the sink says why, once).</summary>
    bool Write(VassalLogLine line);

    /// <summary>End of a batch: push buffered bytes out, so that <c>tail -f</c> sees them now.</summary>
    void Flush();

    /// <summary>Close and reopen every file (logrotate).</summary>
    void Reopen();
}
