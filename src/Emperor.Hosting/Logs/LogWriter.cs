using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Emperor.Core.Logs;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Logs;

/// <summary>
/// The thread that writes captured lines to their sink, behind a bounded queue: the capture thread only enqueues,
/// so a slow or full disk stalls neither a vassal nor the loop. When the queue is full lines are dropped and
/// counted; one line (at most every few seconds) says how many, per vassal. Each vassal may always queue
/// <see cref="ReservedChars"/> of its own, so a flooding vassal fills the shared room but never takes a quiet
/// vassal's lines with it.
/// </summary>
internal sealed partial class LogWriter : IDisposable
{
    /// <summary>Characters queued before lines are dropped (a few seconds of a fast disk).</summary>
    public const long QueueChars = 16 * 1024 * 1024;

    /// <summary>Characters each vassal may queue even when the shared room is full.</summary>
    public const long ReservedChars = 32 * 1024;

    private static readonly TimeSpan s_reportEvery = TimeSpan.FromSeconds(5);

    private readonly ILogSink _sink;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<object> _queue = new(); // a VassalLogLine, or a reopen's TaskCompletionSource
    private readonly SemaphoreSlim _ready = new(0);
    private readonly ConcurrentDictionary<string, long> _dropped = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>> _queuedBy = new(StringComparer.Ordinal);
    private readonly Thread _thread;
    private long _queuedChars;
    private long _droppedTotal;
    private long _reopens;
    private long _lastReport = Environment.TickCount64 - (long)s_reportEvery.TotalMilliseconds;
    private volatile bool _stopping;

    public LogWriter(ILogSink sink, ILogger logger)
    {
        _sink = sink;
        _logger = logger;
        _thread = new Thread(Run) { Name = "emperor-logwriter", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Lines dropped because the writer fell behind, since start.</summary>
    public long Dropped => Interlocked.Read(ref _droppedTotal);

    /// <summary>Reopens done (tests wait for one).</summary>
    public long Reopens => Interlocked.Read(ref _reopens);

    /// <summary>Never blocks: queues the line, or drops and counts it.</summary>
    public void Enqueue(VassalLogLine line)
    {
        var size = line.Text.Length + 64;
        var mine = _queuedBy.GetOrAdd(line.Vassal, static _ => new StrongBox<long>());
        if (Interlocked.Read(ref _queuedChars) + size > QueueChars && Interlocked.Read(ref mine.Value) + size > ReservedChars)
        {
            _dropped.AddOrUpdate(line.Vassal, 1, static (_, n) => n + 1);
            Interlocked.Increment(ref _droppedTotal);
            return;
        }

        Interlocked.Add(ref _queuedChars, size);
        Interlocked.Add(ref mine.Value, size);

        _queue.Enqueue(line);
        _ready.Release();
    }

    /// <summary>Asks the writer to close and reopen its files after the lines queued so far; completes when done.</summary>
    public Task Reopen()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Enqueue(done);
        _ready.Release();
        return done.Task;
    }

    private void Run()
    {
        while (true)
        {
            _ready.Wait(TimeSpan.FromSeconds(1));
            var wrote = false;
            while (_queue.TryDequeue(out var item))
            {
                if (item is TaskCompletionSource reopen)
                {
                    _sink.Reopen();
                    Interlocked.Increment(ref _reopens);
                    reopen.TrySetResult();
                    continue;
                }

                var line = (VassalLogLine)item;
                Interlocked.Add(ref _queuedChars, -(line.Text.Length + 64));
                if (_queuedBy.TryGetValue(line.Vassal, out var mine))
                {
                    Interlocked.Add(ref mine.Value, -(line.Text.Length + 64));
                }

                _sink.Write(line);
                wrote = true;
            }

            if (wrote)
            {
                _sink.Flush();
            }

            ReportDrops();
            if (_stopping && _queue.IsEmpty)
            {
                return;
            }
        }
    }

    private void ReportDrops()
    {
        if (_dropped.IsEmpty || (Environment.TickCount64 - _lastReport < s_reportEvery.TotalMilliseconds && !_stopping))
        {
            return;
        }

        _lastReport = Environment.TickCount64;
        foreach (var vassal in _dropped.Keys)
        {
            if (_dropped.TryRemove(vassal, out var n))
            {
                LogDropped(_logger, vassal, n);
            }
        }
    }

    /// <summary>Writes what is queued, then closes the sink.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _ready.Release();
        _thread.Join();
        _sink.Dispose();
        _ready.Dispose();
    }

    [LoggerMessage(EventId = 62, Level = LogLevel.Warning, Message = "[emperor] vassal {Vassal}: dropped {Dropped} lines of its output (the log writer fell behind)")]
    private static partial void LogDropped(ILogger logger, string vassal, long dropped);
}
