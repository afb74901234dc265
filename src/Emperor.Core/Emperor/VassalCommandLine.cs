namespace Emperor.Core.Emperor;

/// <summary>Builds a vassal's argv exactly as uWSGI does (spec §3.2.2).</summary>
internal static class VassalCommandLine
{
    public static List<string> Build(EmperorSettings settings, string argv0, string formatFlag, string configPath)
    {
        var argv = new List<string> { argv0 };
        foreach (var t in settings.VassalsInheritBefore)
        {
            argv.Add("--inherit");
            argv.Add(t);
        }

        foreach (var i in settings.VassalsIncludeBefore)
        {
            argv.Add("--include");
            argv.Add(i);
        }

        foreach (var kv in settings.VassalSet)
        {
            argv.Add("--set");
            argv.Add(kv);
        }

        argv.Add(formatFlag);
        argv.Add(configPath);
        foreach (var t in settings.VassalsInherit)
        {
            argv.Add("--inherit");
            argv.Add(t);
        }

        foreach (var i in settings.VassalsInclude)
        {
            argv.Add("--include");
            argv.Add(i);
        }

        return argv;
    }
}
