using Emperor.Amqp;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// An AMQP message on the emperor's fanout exchange (anyone with publish rights on the broker can send one): the input
/// up to the first newline is the routing key, the rest the body. Never throws; a refusal is one line; an accepted
/// message names a vassal and keeps its config within the bound.
/// </summary>
internal sealed class AmqpMessageTarget : IFuzzTarget
{
    private const int MaxConfig = 64 * 1024;

    public string Name => "amqp";

    public IEnumerable<byte[]> Seeds =>
    [
        ConfigChecks.Utf8("app.ini\n[uwsgi]\nsocket = :3031\n"),
        ConfigChecks.Utf8("app.ini\n"),
        ConfigChecks.Utf8("\n/etc/vassals/app.ini"),
        ConfigChecks.Utf8("\nhttp://config.example.com/app.ini"),
        [(byte)'\n', 0xC3, 0x28],
    ];

    public IReadOnlyList<string> Dictionary => [".ini", ".xml", ".yaml", ".json", "http://", "/", "\n", "\0"];

    public bool UsesRepositoryFile(string path) => false;

    public string Run(byte[] input)
    {
        var newline = Array.IndexOf(input, (byte)'\n');
        var key = newline < 0 ? null : ConfigChecks.Text(input[..newline]);
        var body = newline < 0 ? input : input[(newline + 1)..];
        var message = AmqpMessage.Parse(key, body, [], MaxConfig, out var error);
        if (message is null)
        {
            Invariant.OneLine(error, "refusal");
            return "refused: " + error;
        }

        Invariant.That(message.Name.Length > 0, "an accepted message names a vassal");
        Invariant.That(message.Config is null || message.Config.Length <= MaxConfig, "the config stays within its bound");
        return $"{message.Kind} {message.Name} {message.Config?.Length}";
    }
}
