namespace Emperor.IntegrationTests.Emperor;

/// <summary>Linux signal numbers (x64 and arm64) the tests send.</summary>
internal static class Signals
{
    public const int Sighup = 1;
    public const int Sigint = 2;
    public const int Sigkill = 9;
    public const int Sigusr1 = 10;
    public const int Sigterm = 15;
    public const int Sigurg = 23;
    public const int Sigwinch = 28;
}
