namespace Emperor.Core.Config.Options;

/// <summary>getopt_long's has_arg of an option.</summary>
internal enum UwsgiOptionArgument
{
    /// <summary>no_argument: a flag; its value is null (shown as "true").</summary>
    None,

    /// <summary>required_argument: <c>--name value</c> or <c>--name=value</c>.</summary>
    Required,

    /// <summary>optional_argument: only <c>--name=value</c> gives a value.</summary>
    Optional,
}
