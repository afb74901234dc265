namespace Emperor.Core.Abstractions;

/// <summary>
/// Tells once when a descriptor becomes readable (a listening socket: a connection is waiting), without touching
/// it: the connection stays in the backlog for whoever accepts it. The callback runs on the watcher's thread and must
/// only post. Disposing the registration cancels it.
/// </summary>
internal interface IReadinessWatcher
{
    IDisposable WatchOnce(int fd, Action onReadable);
}
