using System.Globalization;
using Emperor.Core.Vassals;

namespace Emperor.Core.Policies;

/// <summary>
/// The crash-loop guard (spec §4; issue "judgement"). A vassal that dies before it became loyal is
/// blacklisted: its next spawn waits the throttle delta, each further death adds the delta, capped at the
/// maximum — capped, not halved as uWSGI 2.0 does. Loyalty or SIGURG clears an entry.
/// </summary>
/// <remarks>
/// One deliberate refinement over uWSGI: a vassal killed from outside by a signal it cannot have chosen
/// (SIGKILL from the OOM killer or an operator, SIGTERM/SIGINT/SIGQUIT/SIGHUP from someone else) did not fail
/// by itself, so the first such death is respawned at once; a second death before loyalty backs off as usual.
/// <para>A floor that nothing turns off: with the blacklist disabled (<c>--emperor-no-blacklist</c> or
/// <c>--emperor-throttle 0</c>) a vassal that keeps dying before loyalty is still not respawned in a tight loop: the
/// first death respawns at once, each further one waits <see cref="FloorStart"/> doubled per death, up to
/// <see cref="FloorMax"/> (a garbage config once cost 3,932 spawns and 52 MB of log in 30 s).</para>
/// Pure: no I/O; time comes from the injected <see cref="TimeProvider"/>.
/// </remarks>
internal sealed class Blacklist(TimeProvider time, TimeSpan delta, TimeSpan max, bool enabled)
{
    /// <summary>The crash-loop floor's first delay.</summary>
    public static readonly TimeSpan FloorStart = TimeSpan.FromMilliseconds(100);

    /// <summary>The crash-loop floor's largest delay.</summary>
    public static readonly TimeSpan FloorMax = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, BlacklistEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _floor = new(StringComparer.Ordinal);

    /// <summary>Entries in insertion order is not guaranteed by Dictionary; stats sort by first attempt.</summary>
    public IEnumerable<BlacklistEntry> Entries => _entries.Values.Where(e => e.Attempts > 0).OrderBy(e => e.FirstAttempt);

    public bool Enabled => enabled;

    public BlacklistEntry? Get(string name) => _entries.GetValueOrDefault(name);

    /// <summary>Decides when a vassal that just died is started again.</summary>
    public BlacklistDecision OnDeath(string name, bool loyal, VassalExit exit)
    {
        if (loyal)
        {
            _entries.Remove(name);
            _floor.Remove(name);
            return new BlacklistDecision(TimeSpan.Zero, "died after becoming loyal; respawning now", false);
        }

        if (!enabled || delta <= TimeSpan.Zero)
        {
            return Floor(name);
        }

        var now = time.GetTimestamp();
        _entries.TryGetValue(name, out var entry);
        if (entry is null && IsExternalKill(exit))
        {
            _entries[name] = new BlacklistEntry(name, 0, TimeSpan.Zero, now, now);
            return new BlacklistDecision(TimeSpan.Zero, $"{exit} from outside; respawning now", false);
        }

        var attempts = (entry?.Attempts ?? 0) + 1;
        var level = attempts * delta;
        if (level > max)
        {
            level = max;
        }

        _entries[name] = new BlacklistEntry(name, attempts, level, entry is { Attempts: > 0 } ? entry.FirstAttempt : now, now);
        var times = attempts == 1 ? "once" : string.Create(CultureInfo.InvariantCulture, $"{attempts} times");
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"blacklisted: died {times} before becoming loyal ({exit}); next spawn in {level.TotalSeconds:0.0} s");
        return new BlacklistDecision(level, reason, true);
    }

    /// <summary>The vassal became loyal: forget its past.</summary>
    public bool Forgive(string name) => _entries.Remove(name) | _floor.Remove(name);

    /// <summary>The vassal's source is gone.</summary>
    public void Drop(string name)
    {
        _entries.Remove(name);
        _floor.Remove(name);
    }

    /// <summary>SIGURG: empty the blacklist. Returns how many entries there were.</summary>
    public int Clear()
    {
        var n = _entries.Count;
        _entries.Clear();
        _floor.Clear();
        return n;
    }

    private BlacklistDecision Floor(string name)
    {
        var deaths = _floor.GetValueOrDefault(name) + 1;
        _floor[name] = deaths;
        if (deaths == 1)
        {
            return new BlacklistDecision(TimeSpan.Zero, "died before becoming loyal (blacklist disabled); respawning now", false);
        }

        var delay = TimeSpan.FromTicks(Math.Min(FloorMax.Ticks, FloorStart.Ticks << Math.Min(deaths - 2, 20)));
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"died {deaths} times before becoming loyal (blacklist disabled); crash-loop floor: next spawn in {delay.TotalSeconds:0.0#} s");
        return new BlacklistDecision(delay, reason, false);
    }

    private static bool IsExternalKill(VassalExit exit) =>
        exit.Signal is 9 or 15 or 2 or 3 or 1;
}
