using Emperor.Core.Protocol;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// The config-frame decoder (the config a vassal reads from <c>UWSGI_EMPEROR_FD_CONFIG</c>): never throws, and whatever it
/// decodes encodes back to a frame that decodes to the same bytes.
/// </summary>
internal sealed class ConfigFrameTarget : IFuzzTarget
{
    public string Name => "config-frame";

    public IEnumerable<byte[]> Seeds =>
    [
        ConfigFrame.Encode(ConfigChecks.Utf8("[uwsgi]\nsocket = :3031\n")),
        [115, 0xFF, 0xFF, 1, 5, 0, 0, 0, 65, 66, 67, 68, 69],
        [115, 3, 0, 0, 65],
    ];

    public IReadOnlyList<string> Dictionary => ["s", "\u00ff\u00ff\u0001", "\0\0\0\0"];

    public bool UsesRepositoryFile(string path) => false;

    public string Run(byte[] input)
    {
        var config = ConfigFrame.TryDecode(input, out var error);
        if (config is null)
        {
            return "error: " + error;
        }

        var again = ConfigFrame.TryDecode(ConfigFrame.Encode(config), out var error2);
        if (again is null || !again.AsSpan().SequenceEqual(config))
        {
            throw new FuzzInvariantException("a decoded config does not survive encode + decode: " + error2);
        }

        return "config of " + config.Length + " bytes";
    }
}
