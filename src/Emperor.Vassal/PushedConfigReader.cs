using System.Buffers.Binary;
using System.Net.Sockets;

namespace Emperor.Vassal;

/// <summary>
/// Reads one config frame from the config link (spec §7.3): modifier1 115, 16-bit little-endian size,
/// modifier2; our Emperor's extended form (size 0xFFFF, modifier2 1, then a 32-bit size) carries configs
/// over 64 KiB, which uWSGI would truncate. Each read waits at most the timeout, as uWSGI's does.
/// </summary>
internal static class PushedConfigReader
{
    private const int MaxConfig = 16 * 1024 * 1024;

    public static byte[] Read(int fd, TimeSpan timeout)
    {
        using var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: false)) { ReceiveTimeout = (int)timeout.TotalMilliseconds };
        try
        {
            var header = ReadExactly(socket, 4);
            if (header[0] != 115)
            {
                throw new VassalFailure($"the config link sent a frame with modifier1 {header[0]} (expected 115)");
            }

            int size = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(1));
            if (size == 0xFFFF && header[3] == 1)
            {
                var big = BinaryPrimitives.ReadUInt32LittleEndian(ReadExactly(socket, 4));
                if (big > MaxConfig)
                {
                    throw new VassalFailure($"the pushed config is {big} bytes; the limit is {MaxConfig}");
                }

                size = (int)big;
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
