namespace Emperor.Core.Config;

/// <summary>How serious a configuration diagnostic is.</summary>
internal enum ConfigSeverity
{
    /// <summary>uWSGI accepts the input (perhaps with a log line); the result is still what uWSGI would use.</summary>
    Warning,

    /// <summary>uWSGI would exit (or crash) on this input; the result is incomplete.</summary>
    Error,
}
