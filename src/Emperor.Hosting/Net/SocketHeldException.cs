namespace Emperor.Hosting.Net;

/// <summary>A UNIX socket path on which another live process already accepts connections.</summary>
internal sealed class SocketHeldException(string path) : IOException($"{path} is held by another live process")
{
    public string Path => path;
}
