namespace Emperor.Core.Control;

internal enum ControlVerb
{
    Reload,
    ReloadAll,
    Stop,
    Start,
    Pardon,
    Rescan,
}
