namespace Emperor.Core.Abstractions;

/// <summary>
/// Sends one datagram to an address written as uWSGI writes subscription servers: <c>HOST:PORT</c> is UDP, anything
/// else a UNIX datagram socket path. Never blocks the caller (the Emperor's loop): a name still being resolved
/// queues the datagram. Failures are the sender's to report (one line per server and minute).
/// </summary>
internal interface IDatagramSender
{
    void Send(string server, byte[] datagram);
}
