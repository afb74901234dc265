using Emperor.Core.Protocol;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>The sd_notify datagram parser: never throws; STATUS stays within its bound.</summary>
internal sealed class NotifyMessageTarget : IFuzzTarget
{
    public string Name => "sd-notify";

    public IEnumerable<byte[]> Seeds =>
    [
        ConfigChecks.Utf8("READY=1"),
        ConfigChecks.Utf8("READY=1\nSTATUS=serving\nMAINPID=42\n"),
        ConfigChecks.Utf8("WATCHDOG=1\nSTOPPING=1\nRELOADING=1\nMONOTONIC_USEC=1\n=\n\n=1\nSTATUS="),
    ];

    public IReadOnlyList<string> Dictionary => ["READY=1", "STATUS=", "WATCHDOG=1", "STOPPING=1", "RELOADING=1", "\n", "=", "\0"];

    public bool UsesRepositoryFile(string path) => false;

    public string Run(byte[] input)
    {
        var m = NotifyMessage.Parse(ConfigChecks.Text(input));
        if (m.Status is { Length: > NotifyMessage.MaxStatus })
        {
            throw new FuzzInvariantException($"STATUS of {m.Status.Length} chars kept");
        }

        return m.ToString();
    }
}
