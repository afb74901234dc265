using System.Net.Sockets;
using Emperor.Core.Protocol;

namespace Emperor.Vassal;

/// <summary>
/// Reads one config frame (<see cref="ConfigFrame"/>, spec §7.3) from the config link. Each read waits at most the
/// timeout, as uWSGI's does.
/// </summary>
internal static class PushedConfigReader
{
    public static byte[] Read(int fd, TimeSpan timeout)
    {
        using var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: false)) { ReceiveTimeout = (int)timeout.TotalMilliseconds };
        try
        {
            var error = ConfigFrame.TryReadHeader(ReadExactly(socket, ConfigFrame.HeaderSize), out var size, out var extended);
            if (error is null && extended)
            {
                error = ConfigFrame.TryReadExtendedSize(ReadExactly(socket, 4), out size);
            }

            if (error is not null)
            {
                throw new VassalFailure(error);
            }

            if (size == 0)
            {
                throw new VassalFailure("the Emperor pushed an empty config");
            }

            return ReadExactly(socket, size);
        }
        catch (SocketException e)
        {
            throw new VassalFailure($"cannot read the pushed config: {e.Message}");
        }
    }

    private static byte[] ReadExactly(Socket socket, int count)
    {
        var buffer = new byte[count];
        var got = 0;
        while (got < count)
        {
            var n = socket.Receive(buffer, got, count - got, SocketFlags.None);
            if (n == 0)
            {
                throw new VassalFailure("the config link closed before the whole config arrived");
            }

            got += n;
        }

        return buffer;
    }
}
