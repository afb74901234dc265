namespace Emperor.Unix.Tests;

/// <summary>Linux signal numbers (x64 and arm64), and the exit code .NET reports for death by one.</summary>
internal static class Signals
{
    public const int Sighup = 1;
    public const int Sigint = 2;
    public const int Sigquit = 3;
    public const int Sigkill = 9;
    public const int Sigusr1 = 10;
    public const int Sigterm = 15;

    public static int DeathExitCode(int signal) => 128 + signal;
}
