namespace Emperor.Core.Control;

/// <summary>
/// One request on the Emperor's command socket (<c>--emperor-command-socket</c>): a single UTF-8 line,
/// <c>VERB [NAME]</c>, answered by a single line that starts with <c>ok</c> or <c>error</c>:
/// <list type="table">
/// <item><term>reload NAME</term><description>reload one vassal (as if its config changed)</description></item>
/// <item><term>reload-all</term><description>reload every vassal (as SIGHUP)</description></item>
/// <item><term>stop NAME</term><description>stop one vassal and hold it: not respawned until started</description></item>
/// <item><term>start NAME</term><description>start a held, waiting (blacklisted) or exiled vassal now</description></item>
/// <item><term>pardon</term><description>clear the blacklist (as SIGURG)</description></item>
/// <item><term>rescan</term><description>scan every source now (as SIGWINCH)</description></item>
/// </list>
/// </summary>
internal readonly record struct ControlCommand(ControlVerb Verb, string? Name)
{
    public const int MaxLineBytes = 4096;

    public static bool TryParse(string line, out ControlCommand command, out string error)
    {
        command = default;
        error = string.Empty;
        var text = line.TrimEnd('\r', '\n');
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var verb = space < 0 ? text : text[..space];
        var name = space < 0 ? null : text[(space + 1)..];
        if (name is { Length: 0 })
        {
            name = null;
        }

        (ControlVerb Verb, bool NeedsName)? known = verb switch
        {
            "reload" => (ControlVerb.Reload, true),
            "reload-all" => (ControlVerb.ReloadAll, false),
            "stop" => (ControlVerb.Stop, true),
            "start" => (ControlVerb.Start, true),
            "pardon" => (ControlVerb.Pardon, false),
            "rescan" => (ControlVerb.Rescan, false),
            _ => null,
        };
        if (known is not { } k)
        {
            error = $"unknown command \"{verb}\" (known: reload NAME, reload-all, stop NAME, start NAME, pardon, rescan)";
            return false;
        }

        if (k.NeedsName && name is null)
        {
            error = $"{verb} needs a vassal name";
            return false;
        }

        if (!k.NeedsName && name is not null)
        {
            error = $"{verb} takes no vassal name";
            return false;
        }

        command = new ControlCommand(k.Verb, name);
        return true;
    }

    public override string ToString() => Name is null ? Verb.ToString() : $"{Verb} {Name}";
}
