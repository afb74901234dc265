using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Emperor.Core.Abstractions;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Notify;

/// <summary>
/// sd_notify for every vassal through one abstract-namespace datagram socket with SO_PASSCRED.
/// </summary>
/// <remarks>
/// Implementation notes. A dedicated thread blocks in recvmsg(2) and resolves the sender's session id from
/// /proc (vassals lead their own session), so the event loop never reads /proc. Datagrams over 4 KiB
/// (MSG_TRUNC), without credentials or not UTF-8 are dropped, and each sender pid may send at most
/// <see cref="MaxPerSecond"/> datagrams a second: a flood costs the flooder, not the Emperor.
/// </remarks>
internal sealed class NotifyListener : INotifyListener
{
    public const int MaxPerSecond = 200;
    private const int MaxDatagram = 4096;
    private readonly Socket _socket;
    private readonly Dictionary<int, (long Second, int Count)> _rates = [];
    private Thread? _thread;
    private volatile bool _disposed;

    public NotifyListener(string name)
    {
        Address = "@" + name;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        _socket.SetRawSocketOption(Sys.SOL_SOCKET, Sys.SO_PASSCRED, BitConverter.GetBytes(1));
    }

    public string Address { get; }

    public void Start(Action<int, int, string> onMessage)
    {
        _thread = new Thread(() => Receive(onMessage)) { Name = "sd-notify", IsBackground = true };
        _thread.Start();
    }

    private unsafe void Receive(Action<int, int, string> onMessage)
    {
        var fd = (int)_socket.SafeHandle.DangerousGetHandle();
        var data = new byte[MaxDatagram];
        var control = new byte[64];
        while (!_disposed)
        {
            nint n;
            Sys.MsgHdr hdr;
            fixed (byte* d = data)
            fixed (byte* c = control)
            {
                var iov = new Sys.IoVec { Base = (nint)d, Length = (nuint)data.Length };
                hdr = new Sys.MsgHdr { Iov = (nint)(&iov), IovLength = 1, Control = (nint)c, ControlLength = (nuint)control.Length };
                n = Sys.recvmsg(fd, &hdr, Sys.MSG_TRUNC);
            }

            if (n < 0)
            {
                if (_disposed)
                {
                    return;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno is 4 or 11)
                {
                    continue; // EINTR, EAGAIN
                }

                return; // the socket is gone
            }

            if ((hdr.Flags & Sys.MSG_TRUNC) != 0 || n > MaxDatagram || !TryReadCredentials(control, (int)hdr.ControlLength, out var pid))
            {
                continue;
            }

            if (!Admit(pid))
            {
                continue;
            }

            string text;
            try
            {
                text = new UTF8Encoding(false, true).GetString(data, 0, (int)n);
            }
            catch (DecoderFallbackException)
            {
                continue;
            }

            onMessage(pid, SessionOf(pid), text);
        }
    }

    private bool Admit(int pid)
    {
        var second = Environment.TickCount64 / 1000;
        _rates.TryGetValue(pid, out var r);
        if (r.Second != second)
        {
            r = (second, 0);
        }

        r.Count++;
        _rates[pid] = r;
        if (_rates.Count > 4096)
        {
            _rates.Clear();
        }

        return r.Count <= MaxPerSecond;
    }

    /// <summary>Finds SCM_CREDENTIALS in the control buffer (struct cmsghdr: size_t len, int level, int type; then struct ucred).</summary>
    private static bool TryReadCredentials(byte[] control, int length, out int pid)
    {
        pid = 0;
        var offset = 0;
        while (offset + 16 <= length)
        {
            var len = (int)BitConverter.ToUInt64(control, offset);
            var level = BitConverter.ToInt32(control, offset + 8);
            var type = BitConverter.ToInt32(control, offset + 12);
            if (len < 16)
            {
                return false;
            }

            if (level == Sys.SOL_SOCKET && type == Sys.SCM_CREDENTIALS && len >= 16 + 12)
            {
                pid = BitConverter.ToInt32(control, offset + 16);
                return pid > 0;
            }

            offset += (len + 7) & ~7;
        }

        return false;
    }

    /// <summary>Field 6 of /proc/PID/stat (after the parenthesised command name, which may hold spaces).</summary>
    private static int SessionOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            return fields.Length > 3 ? int.Parse(fields[3], CultureInfo.InvariantCulture) : 0;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _socket.Shutdown(SocketShutdown.Both);
        _socket.Dispose();
    }
}
