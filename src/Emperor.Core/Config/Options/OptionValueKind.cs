namespace Emperor.Core.Config.Options;

/// <summary>What an option's value must look like; <see cref="OptionValueValidator"/> checks it.</summary>
internal enum OptionValueKind
{
    /// <summary>No value (a flag); <c>--name=false|off|no|0</c> turns it off, as uWSGI reads booleans.</summary>
    Flag,

    /// <summary>A vassal source: a directory, a glob, <c>dir://</c>, <c>glob://</c> or <c>pg://</c>.</summary>
    Source,

    /// <summary>Whole seconds, at least 1.</summary>
    Seconds,

    /// <summary>Whole seconds, 0 allowed (0 disables).</summary>
    SecondsOrZero,

    /// <summary>Whole milliseconds, 0 allowed.</summary>
    Milliseconds,

    /// <summary>A listening address: <c>host:port</c>, <c>:port</c>, <c>[v6]:port</c>, a UNIX path or <c>@abstract</c>.</summary>
    Address,

    /// <summary>A UNIX socket path or <c>@abstract</c> name, or <c>none</c>.</summary>
    UnixSocket,

    /// <summary>A file path (not empty); the file need not exist yet.</summary>
    Path,

    /// <summary>A short name: letters, digits, <c>.</c>, <c>_</c>, <c>-</c>.</summary>
    Name,

    /// <summary>Free text, not empty.</summary>
    Text,

    /// <summary>A whole number, 0 or more.</summary>
    Number,

    /// <summary>An octal file mode or a uWSGI chmod letter.</summary>
    Mode,

    /// <summary>A user name or numeric uid.</summary>
    User,

    /// <summary>A group name or numeric gid.</summary>
    Group,

    /// <summary>A byte count, at least 1 (e.g. a log file's size limit).</summary>
    Bytes,

    /// <summary><c>text</c> or <c>json</c>.</summary>
    LogFormat,
}
