using System.Text.Json;
using Emperor.Testing;

namespace Emperor.Monitors.Tests;

/// <summary>
/// A real libzmq PUSH socket (python3-zmq, as uWSGI's emperor_zeromq docs show): connects to an endpoint, sends
/// multipart messages, and exits once they are delivered (linger).
/// </summary>
internal static class ZmqPusher
{
    /// <summary>Debian's interpreter, which python3-zmq installs into (a python3 earlier on PATH may lack it).</summary>
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import json, sys, zmq
        c = zmq.Context()
        s = c.socket(zmq.PUSH)
        s.setsockopt(zmq.LINGER, 20000)
        for endpoint in json.loads(sys.argv[1]):
            s.connect(endpoint)
        for message in json.loads(sys.argv[2]):
            s.send_multipart([part.encode('utf-8') for part in message])
        s.close()
        c.term()
        """;

    /// <summary>Sends <paramref name="messages"/> (each a list of parts) to <paramref name="endpoints"/>; with several, PUSH deals them round robin.</summary>
    public static async Task SendAsync(LeakGuard guard, IReadOnlyList<string> endpoints, params string[][] messages)
    {
        await using var process = TestProcess.Start(guard, Python, ["-c", Script, JsonSerializer.Serialize(endpoints), JsonSerializer.Serialize(messages)]);
        var code = await process.WaitForExitAndOutputAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"python3-zmq pusher failed ({code}):\n{process.Output}");
    }

    public static Task SendAsync(LeakGuard guard, string endpoint, params string[][] messages) => SendAsync(guard, [endpoint], messages);
}
