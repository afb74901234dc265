using System.Net.Sockets;
using Emperor.Core;

namespace Emperor.Hosting;

/// <summary>
/// When this Emperor is itself a vassal (a sub-Emperor, spec §13.3), its link to the parent Emperor: it
/// announces loyalty at once (byte 17) as a uWSGI sub-Emperor does, and turns the parent's bytes into
/// signals of its own: 0 and 2 (stop) and EOF (the parent is gone) mean Ragnarok, 1 means reload everything.
/// </summary>
internal sealed class ParentLink(int fd, Action<int> raiseSignal) : IDisposable
{
    private readonly Socket _socket = new(new SafeSocketHandle(fd, ownsHandle: true));
    private readonly CancellationTokenSource _stop = new();

    public void Start()
    {
        try
        {
            _socket.Send([(byte)17]);
        }
        catch (SocketException)
        {
            raiseSignal(Signals.Sigterm);
            return;
        }

        _ = ReadAsync();
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[16];
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    break;
                }

                for (var i = 0; i < n; i++)
                {
                    raiseSignal(buffer[i] == 1 ? Signals.Sighup : Signals.Sigterm);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return;
        }
        catch (SocketException)
        {
            // fall through: a broken link is a lost parent
        }

        raiseSignal(Signals.Sigterm);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }
}
