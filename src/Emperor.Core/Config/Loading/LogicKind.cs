namespace Emperor.Core.Config.Loading;

/// <summary>The opt-logic block kinds (core/config.c <c>uwsgi_logic_opt_*</c>).</summary>
internal enum LogicKind
{
    None,
    For,
    ForGlob,
    ForTimes,
    ForReadline,
    IfOpt,
    IfNotOpt,
    IfEnv,
    IfNotEnv,
    IfReload,
    IfNotReload,
    IfExists,
    IfNotExists,
    IfFile,
    IfNotFile,
    IfDir,
    IfNotDir,
    IfPlugin,
    IfNotPlugin,
    IfHostname,
    IfNotHostname,
    IfHostnameMatch,
    IfNotHostnameMatch,
}
