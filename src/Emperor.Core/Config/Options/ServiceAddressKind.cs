namespace Emperor.Core.Config.Options;

internal enum ServiceAddressKind
{
    Tcp,
    UnixPath,
    UnixAbstract,
}
