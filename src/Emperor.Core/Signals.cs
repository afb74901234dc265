namespace Emperor.Core;

/// <summary>Linux signal numbers (x86-64 and arm64 agree on these), the one place the project names them.</summary>
internal static class Signals
{
    public const int Sighup = 1;
    public const int Sigint = 2;
    public const int Sigquit = 3;
    public const int Sigkill = 9;
    public const int Sigusr1 = 10;
    public const int Sigusr2 = 12;
    public const int Sigterm = 15;
    public const int Sigchld = 17;
    public const int Sigcont = 18;
    public const int Sigstop = 19;
    public const int Sigurg = 23;
    public const int Sigwinch = 28;

    /// <summary>The highest signal number a wait status or a SigIgn mask can name.</summary>
    public const int Max = 64;

    /// <summary>Conventional names for log lines ("SIGTERM"), or "signal N".</summary>
    public static string Name(int signal) => signal switch
    {
        Sighup => "SIGHUP",
        Sigint => "SIGINT",
        Sigquit => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        Sigkill => "SIGKILL",
        Sigusr1 => "SIGUSR1",
        11 => "SIGSEGV",
        Sigusr2 => "SIGUSR2",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        Sigterm => "SIGTERM",
        Sigchld => "SIGCHLD",
        Sigcont => "SIGCONT",
        Sigstop => "SIGSTOP",
        Sigurg => "SIGURG",
        Sigwinch => "SIGWINCH",
        _ => "signal " + signal.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
