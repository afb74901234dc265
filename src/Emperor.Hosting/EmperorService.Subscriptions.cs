using Emperor.Core.Stats;
using Emperor.Core.Subscriptions;
using Emperor.Core.VassalRole;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>One subscription the Emperor announces for a vassal, with its two packets encoded once.</summary>
internal sealed class Announce(AnnouncedSubscription item, string address, string proto)
{
    public AnnouncedSubscription Item { get; } = item;

    public string Address { get; } = address;

    public string Proto { get; } = proto;

    public byte[] Subscribe { get; } = SubscriptionCodec.Encode(Packet(item, address, proto, SubscriptionCommand.Subscribe));

    public byte[] Unsubscribe { get; } = SubscriptionCodec.Encode(Packet(item, address, proto, SubscriptionCommand.Unsubscribe));

    /// <summary>Unix seconds of the last announce, 0 when none yet.</summary>
    public long LastAnnounce { get; set; }

    public bool SameAs(Announce other) => Item.Server == other.Item.Server && Item.Key == other.Item.Key && Address == other.Address;

    private static SubscriptionPacket Packet(AnnouncedSubscription item, string address, string proto, SubscriptionCommand command) =>
        new(command, item.Key, address, item.Modifier1, item.Modifier2, Cores: 1, Load: 0, Weight: item.Weight)
        {
            // Ours: a node that speaks HTTP says so; uWSGI's routers ignore keys they do not know.
            Extra = proto == "http" ? [KeyValuePair.Create("proto", "http")] : [],
        };
}

/// <summary>
/// The Emperor announces its vassals to routers (issue #14 §3): a vassal our own vassal role runs with the Emperor's
/// privileges whose file says <c>subscribe-to</c>/<c>subscribe2</c> is announced while it runs (its sockets are held,
/// so a connection during a restart waits in the backlog rather than failing), re-announced every
/// <c>subscribe-freq</c> seconds, and unsubscribed at once when it stops, crash-loops, is held or removed. An
/// on-demand vassal is announced while it sleeps, with its on-demand socket as the node: the router's first request
/// is the connection that wakes it. Sends are non-blocking datagrams on the loop.
/// </summary>
internal sealed partial class EmperorService
{
    private readonly HashSet<VassalRecord> _announced = [];
    private ITimer? _announceTimer;

    /// <summary>Takes the subscriptions of the vassal's file (after each read of it) and announces as its phase says.</summary>
    private void SetSubscriptions(VassalRecord record, IReadOnlyList<Core.Config.ConfigOption> options, IReadOnlyList<SocketSpec> sockets, string? onDemand)
    {
        var (subs, complaints) = VassalSubscriptions.Read(options, File.Exists);
        var fresh = new List<Announce>(subs.Items.Count);
        foreach (var item in subs.Items)
        {
            if (VassalSubscriptions.NodeOf(item, sockets, onDemand, out var why) is not { } node)
            {
                complaints.Add(why);
                continue;
            }

            try
            {
                fresh.Add(new Announce(item, node.Address, node.Proto));
            }
            catch (ArgumentException e)
            {
                complaints.Add($"subscription {item.Key} to {item.Server}: {e.Message}");
            }
        }

        if (_announcer is null && fresh.Count > 0)
        {
            complaints.Add("this Emperor has no datagram sender; nothing is announced");
            fresh.Clear();
        }

        // Said once per change of the file, not at every respawn of a crash loop.
        var complaint = complaints.Count == 0 ? null : string.Join("; ", complaints);
        if (complaint is not null && complaint != record.SubscriptionComplaint)
        {
            LogSubscriptionRefused(_logger, record.Name, complaint + " (not announced)");
        }

        record.SubscriptionComplaint = complaint;

        if (record.Announced)
        {
            foreach (var old in record.Announces)
            {
                if (!fresh.Any(f => f.SameAs(old)))
                {
                    _announcer!.Send(old.Item.Server, old.Unsubscribe);
                }
            }

            // Kept ones stay announced; new ones go out now.
            var now = _time.GetUtcNow().ToUnixTimeSeconds();
            foreach (var f in fresh)
            {
                if (record.Announces.FirstOrDefault(f.SameAs) is { } kept)
                {
                    f.LastAnnounce = kept.LastAnnounce;
                }
                else
                {
                    _announcer!.Send(f.Item.Server, f.Subscribe);
                    f.LastAnnounce = now;
                }
            }
        }

        record.Announces = fresh;
        record.AnnounceEvery = subs.Frequency;
        if (fresh.Count == 0)
        {
            record.Announced = false;
            _announced.Remove(record);
        }

        SyncAnnounce(record);
    }

    /// <summary>Announces or withdraws the vassal's subscriptions when its phase changed what it should be.</summary>
    private void SyncAnnounce(VassalRecord record)
    {
        if (record.Announces.Count == 0)
        {
            return;
        }

        var s = record.State;
        var want = !_ragnarok && s.Phase switch
        {
            VassalPhase.Running or VassalPhase.Sleeping or VassalPhase.Restarting => true,

            // Between a restart's stop and its spawn, or a first death's immediate respawn, the held socket keeps
            // the backlog: withdrawing would only turn queued requests into router errors.
            VassalPhase.New => record.Announced,
            VassalPhase.Waiting => record.Announced && s.WaitDelay <= TimeSpan.FromSeconds(1),
            _ => false,
        };
        if (want == record.Announced)
        {
            return;
        }

        record.Announced = want;
        SendAll(record, want);
        if (want)
        {
            _announced.Add(record);
            _announceTimer ??= _time.CreateTimer(_ => Post(new EmperorEvent.AnnounceDue()), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
        else
        {
            _announced.Remove(record);
        }
    }

    private void SendAll(VassalRecord record, bool subscribe)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var a in record.Announces)
        {
            _announcer!.Send(a.Item.Server, subscribe ? a.Subscribe : a.Unsubscribe);
            if (subscribe)
            {
                a.LastAnnounce = now;
            }
        }

        record.AnnouncedAt = _time.GetTimestamp();
        if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            var list = string.Join(", ", record.Announces.Select(a => $"{a.Item.Key} -> {a.Item.Server}"));
            LogAnnounced(_logger, subscribe ? "subscribed" : "unsubscribed", record.Name, list);
        }
    }

    /// <summary>Re-announces every announced vassal whose <c>subscribe-freq</c> has passed (once a second).</summary>
    private void Reannounce()
    {
        var now = _time.GetTimestamp();
        foreach (var record in _announced)
        {
            if (_time.GetElapsedTime(record.AnnouncedAt, now) < record.AnnounceEvery)
            {
                continue;
            }

            var unix = _time.GetUtcNow().ToUnixTimeSeconds();
            foreach (var a in record.Announces)
            {
                _announcer!.Send(a.Item.Server, a.Subscribe);
                a.LastAnnounce = unix;
            }

            record.AnnouncedAt = now;
        }
    }

    /// <summary>A record going away withdraws what it announced.</summary>
    private void Withdraw(VassalRecord record)
    {
        if (record.Announced)
        {
            record.Announced = false;
            SendAll(record, false);
        }

        _announced.Remove(record);
    }

    private static List<SubscriptionStats> SubscriptionStatsOf(VassalRecord record) =>
        record.Announces.Count == 0 ? [] : record.Announces.Select(a => new SubscriptionStats
        {
            Key = a.Item.Key,
            Server = a.Item.Server,
            State = !record.Announced ? string.Empty : record.State.Phase == VassalPhase.Sleeping ? "sleeping" : "announced",
            LastAnnounce = a.LastAnnounce,
            Address = a.Address,
            Proto = a.Proto,
        }).ToList();
}
