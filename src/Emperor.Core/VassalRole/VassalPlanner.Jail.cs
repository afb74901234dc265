using Emperor.Core.Config;

namespace Emperor.Core.VassalRole;

/// <summary>The jail options of a vassal config (issue #15; phases in docs/jails.md).</summary>
internal static partial class VassalPlanner
{
    /// <summary>Plans <paramref name="key"/> if it is a jail option; false for any other option.</summary>
    private static bool PlanJail(string key, string value, ConfigLocation? where, JailDraft draft, List<string> errors)
    {
        switch (key)
        {
            case "unshare" or "unshare2":
                if (NamespaceNames.TryParse(value, out var mask, out var unknown))
                {
                    draft.Plan = key == "unshare"
                        ? draft.Plan with { Unshare = draft.Plan.Unshare | mask }
                        : draft.Plan with { Unshare2 = draft.Plan.Unshare2 | mask };
                }
                else
                {
                    errors.Add($"{VassalOptionRules.Where(where)}{key} = {value}: unknown namespace \"{unknown}\" (known: cgroup, files, fs, ipc, mnt, mount, net, ns, pid, sysvsem, user, uts)");
                }

                return true;
            case "pivot-root" or "pivot_root":
                var parts = value.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (parts.Length == 2)
                {
                    draft.Plan = draft.Plan with { PivotRoot = (parts[0], parts[1].TrimStart('/')) };
                }
                else
                {
                    errors.Add($"{VassalOptionRules.Where(where)}{key} = {value}: expected NEW_ROOT PUT_OLD separated by a space");
                }

                return true;
            case var hook when HookActions.PhaseOf(hook) is { } phase:
                PlanHook(key, value, phase, where, draft, errors);
                return true;
            case "cap":
                if (!CapabilityNames.TryParse(value, out var caps, out var badCap))
                {
                    errors.Add($"{VassalOptionRules.Where(where)}{key} = {value}: unknown capability \"{badCap}\" (names as in capabilities(7) without cap_, e.g. net_bind_service, or numbers)");
                }
                else if (caps.Count == 0)
                {
                    errors.Add($"{VassalOptionRules.Where(where)}{key} = {value}: empty capability list");
                }
                else
                {
                    draft.Plan = draft.Plan with { Capabilities = caps };
                }

                return true;
            case "cgroup":
                draft.Cgroups.Add(value);
                return true;
            case "cgroup-opt":
                var sep = value.IndexOfAny(['=', ':']);
                if (sep <= 0)
                {
                    errors.Add($"{VassalOptionRules.Where(where)}{key} = {value}: expected KEY=VALUE, e.g. memory.limit_in_bytes=268435456");
                }
                else
                {
                    draft.CgroupOptions.Add(new(value[..sep], value[(sep + 1)..]));
                }

                return true;
            case "cgroup-dir-mode":
                draft.Plan = draft.Plan with { CgroupDirMode = Octal(key, value, errors) ?? draft.Plan.CgroupDirMode };
                return true;
            case "jailed":
                draft.Plan = draft.Plan with { Jailed = Bool(value) };
                return true;
            default:
                return false;
        }
    }

    private static void PlanHook(string key, string value, HookPhase phase, ConfigLocation? where, JailDraft draft, List<string> errors)
    {
        if (key.StartsWith("exec-", StringComparison.Ordinal))
        {
            draft.Hooks.Add(new HookSpec(phase, key, "exec", value, Private: false));
            return;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var isPrivate = value.StartsWith('!');
        var shown = isPrivate ? "(private hook)" : value;
        if (colon < 0)
        {
            errors.Add($"{VassalOptionRules.Where(where)}{key} = {shown}: expected ACTION:ARGUMENTS, e.g. exec:/usr/bin/setup or mkdir:/run/app");
            return;
        }

        var action = value[(isPrivate ? 1 : 0)..colon];
        if (HookActions.Refused.Contains(action))
        {
            errors.Add(VassalOptionRules.Refusal(where, key, shown, $"the hook action {action} is not carried out by the vassal role"));
        }
        else if (!HookActions.Supported.Contains(action))
        {
            errors.Add($"{VassalOptionRules.Where(where)}{key} = {shown}: unknown hook action \"{action}\" (known: {string.Join(", ", HookActions.Supported.Order(StringComparer.Ordinal))})");
        }
        else
        {
            draft.Hooks.Add(new HookSpec(phase, key, action, value[(colon + 1)..], isPrivate));
        }
    }

    /// <summary>Combinations that cannot work, or would harm the host.</summary>
    private static void JailChecks(JailPlan jail, List<string> errors)
    {
        if (jail.CgroupOptions.Count > 0 && jail.Cgroups.Count == 0)
        {
            errors.Add("cgroup-opt needs a cgroup = PATH to apply to");
        }

        // pivot_root first makes every mount private (as uWSGI does): in the host's mount namespace that would change
        // propagation for the whole machine, so it needs a mount namespace of its own.
        if (jail.PivotRoot is not null && (jail.Unshare & NamespaceNames.CloneNewNs) == 0)
        {
            errors.Add("pivot-root needs a mount namespace of its own: add unshare = mount");
        }
    }

    /// <summary>The jail plan while the options are read.</summary>
    private sealed class JailDraft
    {
        public JailPlan Plan { get; set; } = JailPlan.None;

        public List<HookSpec> Hooks { get; } = [];

        public List<string> Cgroups { get; } = [];

        public List<KeyValuePair<string, string>> CgroupOptions { get; } = [];

        /// <summary>Hooks by phase; in a phase the hook- lines before the exec- lines (OrderBy is stable).</summary>
        public JailPlan Build() => Plan with
        {
            Cgroups = Cgroups,
            CgroupOptions = CgroupOptions,
            Hooks = [.. Hooks.OrderBy(h => h.Phase).ThenBy(h => h.Option.StartsWith("exec-", StringComparison.Ordinal) ? 1 : 0)],
        };
    }
}
