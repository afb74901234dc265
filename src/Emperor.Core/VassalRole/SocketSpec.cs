namespace Emperor.Core.VassalRole;

internal enum SocketAddressKind
{
    Tcp,
    Unix,
    Abstract,
}

/// <summary>
/// One socket a vassal config declares (<c>socket</c>, <c>http-socket</c>, <c>uwsgi-socket</c>,
/// <c>shared-socket</c>), bound by the vassal role while still privileged and handed to the app from fd 3 on.
/// </summary>
/// <param name="Option">The option that declared it (its systemd fd name).</param>
/// <param name="Address">The address as written.</param>
/// <param name="Kind">TCP, UNIX path or abstract (<c>@name</c>).</param>
/// <param name="Host">TCP host ("" = any IPv4, "[::]" style brackets removed).</param>
/// <param name="Port">TCP port (0 = any free port).</param>
/// <param name="Path">UNIX path, or the abstract name without the <c>@</c>.</param>
internal sealed record SocketSpec(string Option, string Address, SocketAddressKind Kind, string Host, int Port, string Path)
{
    public string FdName => Option switch
    {
        "http-socket" => "http",
        "uwsgi-socket" => "uwsgi",
        "shared-socket" => "shared",
        _ => "socket",
    };
}
