using Emperor.Core.Policies;

namespace Emperor.Hosting;

/// <summary>
/// The spawn queue in front of the <see cref="SpawnThrottle"/> (spec §4.3): a spawn that comes with others (one scan
/// finding many new configs, many deaths at once) waits its turn; a lone one never does; the first scan (warm-up)
/// and a disabled throttle are exempt from waiting but still go in slices. At most <see cref="Slice"/> spawns run per
/// event: a spawn costs the loop a fork, so the rest of a burst waits behind a posted
/// <see cref="EmperorEvent.SpawnSliceDue"/> and stats, commands and signals are answered in between.
/// </summary>
/// <remarks>Loop thread only. The queue keeps records, and asks <c>isWanted</c> before it spawns one, because a
/// record may have been stopped or replaced while it waited.</remarks>
internal sealed class SpawnQueue(
    SpawnThrottle throttle,
    TimeProvider time,
    Action<EmperorEvent> post,
    Func<VassalRecord, bool> isWanted,
    Action<VassalRecord> spawn)
{
    /// <summary>Spawns per event.</summary>
    public const int Slice = 1;

    private readonly Queue<(VassalRecord Record, bool Exempt)> _queue = new();
    private ITimer? _throttleTimer;
    private bool _sliceScheduled;
    private int _spawnsThisEvent;

    /// <summary>True during the Emperor's first scan: its spawns are throttle-exempt.</summary>
    public bool WarmingUp { get; set; }

    /// <summary>After <see cref="Close"/> (Ragnarok) nothing is spawned any more.</summary>
    public bool Closed { get; private set; }

    public int Count => _queue.Count;

    /// <summary>The queued vassal names, in order (stats <c>throttle_queue</c>).</summary>
    public IEnumerable<string> Names => _queue.Select(q => q.Record.Name);

    /// <summary>Called by the loop before each event: the slice counts per event.</summary>
    public void BeginEvent() => _spawnsThisEvent = 0;

    /// <summary>Spawns <paramref name="record"/> now, or queues it.</summary>
    public void Request(VassalRecord record)
    {
        if (Closed || record.SpawnQueued)
        {
            return;
        }

        var exempt = WarmingUp || !throttle.Enabled;
        var lone = _queue.Count == 0 && _spawnsThisEvent == 0;
        if ((exempt || lone) && _queue.Count == 0 && _spawnsThisEvent < Slice)
        {
            Run(record, exempt);
            return;
        }

        record.SpawnQueued = true;
        _queue.Enqueue((record, exempt));
        if (_spawnsThisEvent >= Slice)
        {
            ScheduleSlice(); // the next slice, after whatever else is waiting
            return;
        }

        Drain();
    }

    public void OnThrottleDue()
    {
        _throttleTimer?.Dispose();
        _throttleTimer = null;
        Drain();
    }

    public void OnSliceDue()
    {
        _sliceScheduled = false;
        Drain();
    }

    /// <summary>Ragnarok: forget every queued spawn and refuse new ones.</summary>
    public void Close()
    {
        Closed = true;
        foreach (var queued in _queue)
        {
            queued.Record.SpawnQueued = false;
        }

        _queue.Clear();
        _throttleTimer?.Dispose();
        _throttleTimer = null;
    }

    private void Drain()
    {
        while (_queue.Count > 0 && !Closed)
        {
            var (next, exempt) = _queue.Peek();
            var delay = exempt ? TimeSpan.Zero : throttle.DelayForQueued();
            if (delay > TimeSpan.Zero)
            {
                _throttleTimer ??= time.CreateTimer(_ => post(new EmperorEvent.ThrottleDue()), null, delay, Timeout.InfiniteTimeSpan);
                return;
            }

            if (_spawnsThisEvent >= Slice)
            {
                ScheduleSlice();
                return;
            }

            _queue.Dequeue();
            next.SpawnQueued = false;
            if (isWanted(next))
            {
                Run(next, exempt);
            }
        }
    }

    private void Run(VassalRecord record, bool exempt)
    {
        _spawnsThisEvent++;
        if (!exempt)
        {
            throttle.OnSpawned();
        }

        spawn(record);
    }

    private void ScheduleSlice()
    {
        if (!_sliceScheduled)
        {
            _sliceScheduled = true;
            post(new EmperorEvent.SpawnSliceDue());
        }
    }
}
