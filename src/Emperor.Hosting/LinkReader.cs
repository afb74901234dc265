using Emperor.Core.Abstractions;

namespace Emperor.Hosting;

/// <summary>
/// Reads a vassal's emperor link off the loop (async socket I/O) and posts each protocol byte, then EOF, to the
/// loop, tagged with the pid it was read for: bytes of a process that has since been replaced are dropped there.
/// </summary>
internal static class LinkReader
{
    public static async Task RunAsync(string name, IVassalProcess process, Action<EmperorEvent> post)
    {
        var buffer = new byte[64];
        var pid = process.Pid;
        try
        {
            while (true)
            {
                var n = await process.Link.ReceiveAsync(buffer, CancellationToken.None);
                if (n <= 0)
                {
                    break;
                }

                for (var i = 0; i < n; i++)
                {
                    post(new EmperorEvent.LinkByte(name, pid, buffer[i]));
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return; // the record let go of the link: nothing to report
        }

        post(new EmperorEvent.LinkEof(name, pid));
    }
}
