namespace Emperor.Fuzz.Tests.Targets;

/// <summary>Seeds and tokens shared by the YAML reader and scanner targets.</summary>
internal static class YamlSeeds
{
    public static IEnumerable<byte[]> All =>
    [
        ConfigChecks.Utf8("uwsgi:\n  socket: :1\n  env:\n    - A=1\n  flow: [a, {b: c}]\n  lit: |\n    x\n  q: \"a\\tb\"\n"),
        ConfigChecks.Utf8("%YAML 1.1\n---\nuwsgi: &x\n  ? complex\n  : value\n  fold: >-\n    a\n    b\n  s: 'it''s'\n  t: !!str 1\n  a: *x\n...\n"),
        ConfigChecks.Utf8("- [a, [b, [c, {d: [e]}]]]\n- {a: b, ? c : d}\nuwsgi:\n\tbad: tab\n"),
    ];

    public static IReadOnlyList<string> Dictionary => ["[", "{", "- ", "  ", "]", "}", ": ", ":", "\n", "? ", ",", "|", ">", "|-", "\"", "'", "&a", "*a", "!!str", "---", "...", "#", "%YAML", "\\x", "\\u", "\t", "uwsgi:\n"];
}
