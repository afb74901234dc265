namespace Emperor.Testing;

/// <summary>Linux signal numbers (x64 and arm64) the tests send, and the exit code .NET reports for death by one.</summary>
public static class Signals
{
    public const int Sighup = 1;
    public const int Sigint = 2;
    public const int Sigquit = 3;
    public const int Sigkill = 9;
    public const int Sigusr1 = 10;
    public const int Sigterm = 15;
    public const int Sigurg = 23;
    public const int Sigwinch = 28;

    public static int DeathExitCode(int signal) => 128 + signal;
}
