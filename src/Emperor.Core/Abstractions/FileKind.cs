namespace Emperor.Core.Abstractions;

internal enum FileKind
{
    Other,
    Regular,
    Directory,
    Symlink,
    Fifo,
    Socket,
}
