namespace Emperor.Core.Protocol;

/// <summary>
/// The single-byte messages of the emperor protocol (spec §7.2). There is no framing: each byte on the
/// link socketpair is one message.
/// </summary>
internal static class EmperorMessage
{
    // Emperor -> vassal
    public const byte Stop = 0;
    public const byte Reload = 1;
    public const byte GracefulStop = 2;

    // Vassal -> Emperor
    public const byte Ready = 1;
    public const byte ResendConfig = 2;
    public const byte Accepting = 5;
    public const byte Loyal = 17;
    public const byte VoluntaryShutdown = 22;
    public const byte Heartbeat = 26;
    public const byte Sos = 30;

    /// <summary>Exit code by which a vassal asks not to be respawned (<c>UWSGI_EXILE_CODE</c>).</summary>
    public const int ExileExitCode = 26;
}
