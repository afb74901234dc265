using Emperor.Core.Config;

namespace Emperor.Core.Tests.Config;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void Load_IniWithCommandLine_ListsCommandLineEntriesInOrder()
    {
        var host = new FakeConfigHost().File("app.ini", "[uwsgi]\nsocket = :3031\nmaster\n");
        var result = host.Load("--ini", "app.ini", "--show-config");
        Assert.Equal(["ini = app.ini", "socket = :3031", "master = ", "show-config = true"], result.Lines());
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Load_RepeatedKeys_KeptInOrder()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\nx = 1\ny = 2\nx = 3\n").Load("--ini", "a.ini");
        Assert.Equal(["1", "3"], result.Values("x"));
        Assert.Equal("1", result.GetFirst("x"));
    }

    [Fact]
    public void GetFlag_BooleanValues_ReadAsUwsgiDoes()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\na\nb = false\nc = OFF\nd = 0\ne = yes\nf = 00\n").Load("--ini", "a.ini", "--master");
        Assert.True(result.GetFlag("a"));
        Assert.False(result.GetFlag("b"));
        Assert.False(result.GetFlag("c"));
        Assert.False(result.GetFlag("d"));
        Assert.True(result.GetFlag("e"));
        Assert.True(result.GetFlag("f"));
        Assert.True(result.GetFlag("master"));
        Assert.False(result.GetFlag("absent"));
    }

    [Fact]
    public void Load_SectionSuffix_SelectsSectionAndSetsX()
    {
        var host = new FakeConfigHost().File("app.ini", "[uwsgi]\na = 1\n[zerg]\nb = %x %o\n");
        var result = host.Load("--ini", "app.ini:zerg");
        Assert.Equal(["ini = app.ini:zerg", "b = zerg app.ini"], result.Lines());
    }

    [Fact]
    public void Load_ColonSectionAlone_RereadsLastIniFile()
    {
        var host = new FakeConfigHost().File("app.ini", "[uwsgi]\na = 1\n[two]\nb = %x\n");
        var result = host.Load("--ini", "app.ini", "--ini", ":two");
        Assert.Equal(["ini = app.ini", "a = 1", "ini = :two", "b = two"], result.Lines());
    }

    [Fact]
    public void Load_MagicVariables_ComputedFromThePath()
    {
        var host = new FakeConfigHost().File("/etc/uwsgi/vassals/my.app.ini",
            "[uwsgi]\nv = %o|%p|%s|%d|%e|%n|%c|%0|%1|%2|%3|%x|%j|%b|%v|%h|%V|%k|%u|%U|%g|%G|%t|%T\n");
        var result = host.Load("--ini", "/etc/uwsgi/vassals/my.app.ini");
        var expected = "/etc/uwsgi/vassals/my.app.ini|/etc/uwsgi/vassals/my.app.ini|my.app.ini|/etc/uwsgi/vassals/|ini|my.app|vassals|etc|uwsgi|vassals|||"
            + Core.Config.Loading.MagicTable.HashHex("/etc/uwsgi/vassals/my.app.ini")
            + "|/usr/bin/uwsgi|/srv|testhost|2.0.30|4|1000|www|1001|web|1700000000|1700000000123456";
        Assert.Equal(expected, result.GetFirst("v"));
    }

    [Fact]
    public void HashHex_KnownPath_MatchesUwsgi()
    {
        // Value printed by uWSGI 2.0.21 for %j of /tmp/cfgexp/link.ini.
        Assert.Equal("0CE7CD6E", Core.Config.Loading.MagicTable.HashHex("/tmp/cfgexp/link.ini"));
    }

    [Fact]
    public void Load_SymlinkedSkel_NameComesFromTheLink()
    {
        var host = new FakeConfigHost()
            .File("/etc/vassals/template.skel", "[uwsgi]\nsocket = /run/%n.sock\np = %p\n")
            .Link("/etc/vassals/app1.ini", "template.skel");
        host.Facts = host.Facts with { Cwd = "/etc/vassals" };
        var result = host.Load("--ini", "app1.ini");
        Assert.Equal("/run/app1.sock", result.GetFirst("socket"));
        Assert.Equal("/etc/vassals/app1.ini", result.GetFirst("p"));
    }

    [Fact]
    public void Load_UpperCaseVariables_FrozenAtTheFirstFileButNotByIncludes()
    {
        var host = new FakeConfigHost()
            .File("first.ini", "[uwsgi]\ninclude = inc.ini\nini = second.ini\n")
            .File("inc.ini", "[uwsgi]\ninc = %N\n")
            .File("second.ini", "[uwsgi]\nsecond = %n %N %O\n");
        var result = host.Load("--ini", "first.ini");
        Assert.Equal("first", result.GetFirst("inc"));
        Assert.Equal("second first first.ini", result.GetFirst("second"));
    }

    [Fact]
    public void Load_PercentEscapes_AsMagicSubDoes()
    {
        var host = new FakeConfigHost().File("a.ini", "[uwsgi]\np = 100%%\ne = %[\nu = a%Yb\nk = 50%\nnext = 1\nt = 7%");
        var result = host.Load("--ini", "a.ini");
        Assert.Equal(["ini = a.ini", "p = 100%", "e = \u001b", "u = ab", "k = 50next = 1", "t = 7"], result.Lines());
    }

    [Fact]
    public void Load_PlaceholderPipeline_IntegerArithmeticAndConcatenation()
    {
        var host = new FakeConfigHost().File("a.ini",
            "[uwsgi]\np = 4\nc = 8\nsum = %(p + 2)\nsub = %(p - 10)\nmul = %(p * c)\ndiv = %(c / 3)\ninc = %(p ++)\ndec = %(p -- --)\ncat = %(p c)\nmix = %(p c + 1)\n");
        var result = host.Load("--ini", "a.ini");
        Assert.Equal(["6", "-6", "32", "2", "5", "2", "48", "49"],
            new[] { "sum", "sub", "mul", "div", "inc", "dec", "cat", "mix" }.Select(k => result.GetFirst(k)!));
    }

    [Fact]
    public void Load_DivisionByZero_YieldsZeroWithAWarning()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\nc = 8\nd = %(c / 0)\n").Load("--ini", "a.ini");
        Assert.Equal("0", result.GetFirst("d"));
        var warning = result.Single(ConfigDiagnosticCode.DivisionByZero);
        Assert.Equal(ConfigSeverity.Warning, warning.Severity);
        Assert.Equal(new ConfigLocation("a.ini", 3, 1), warning.Location);
    }

    [Fact]
    public void Load_ReplacementAtIndexZero_NotExpandedAgainAsInUwsgi()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\na = %(b)\nb = %(c)\nc = hi\nd = x%(a)\n").Load("--ini", "a.ini");
        Assert.Equal(["ini = a.ini", "a = %(c)", "b = hi", "c = hi", "d = xhi"], result.Lines());
    }

    [Fact]
    public void Load_NestedParentheses_FormOneKey()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\nc = v\ni = %(c %(c))\nj = %(x (y))\n").Load("--ini", "a.ini");
        Assert.Equal("%(c v)", result.GetFirst("i"));
        Assert.Equal(string.Empty, result.GetFirst("j"));
    }

    [Fact]
    public void Load_UndefinedPlaceholder_KeptWithWarning()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\ng = %(zzz)\nh = %()\n").Load("--ini", "a.ini");
        Assert.Equal("%(zzz)", result.GetFirst("g"));
        Assert.Equal("%()", result.GetFirst("h"));
        Assert.Equal(ConfigSeverity.Warning, result.Single(ConfigDiagnosticCode.UndefinedPlaceholder).Severity);
    }

    [Fact]
    public void Load_UnterminatedPlaceholder_KeptWithWarning()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\na = %(abc\n").Load("--ini", "a.ini");
        Assert.Equal("%(abc", result.GetFirst("a"));
        Assert.Equal(new ConfigLocation("a.ini", 2, 1), result.Single(ConfigDiagnosticCode.UnterminatedPlaceholder).Location);
    }

    [Fact]
    public void Load_SelfReferencingPlaceholder_StopsWithAnError()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\na = x%(a)\n").Load("--ini", "a.ini");
        Assert.Equal(ConfigSeverity.Error, result.Single(ConfigDiagnosticCode.ExpansionDoesNotTerminate).Severity);
    }

    [Fact]
    public void Load_EnvironmentPass_ExpandsSetVariablesOnly()
    {
        var host = new FakeConfigHost().Env("HOME", "/home/w").File("a.ini", "[uwsgi]\nh = $(HOME)/x\nu = $(NOPE)\n");
        var result = host.Load("--ini", "a.ini");
        Assert.Equal("/home/w/x", result.GetFirst("h"));
        Assert.Equal("$(NOPE)", result.GetFirst("u"));
        Assert.Single(result.Diagnostics, d => d.Code == ConfigDiagnosticCode.UndefinedEnvironmentVariable);
    }

    [Fact]
    public void Load_UwsgiEnvironmentVariables_BecomeOptionsBeforeTheCommandLine()
    {
        var host = new FakeConfigHost()
            .Env("UWSGI_SOCKET", "/run/%n-$(HOME).sock")
            .Env("HOME", "/h")
            .Env("UWSGI_EMPEROR_FD", "3")
            .Env("UWSGI_RELOADS", "1")
            .Env("UWSGI_My_Opt", "Keep_Case");
        var result = host.Load("--master");
        Assert.Equal(["socket = /run/%n-/h.sock", "my-opt = Keep_Case", "master = true"], result.Lines());
    }

    [Fact]
    public void Load_UwsgiIniVariable_LoadsTheFile()
    {
        var result = new FakeConfigHost().Env("UWSGI_INI", "a.ini").File("a.ini", "[uwsgi]\nx = %N\n").Load();
        Assert.Equal(["ini = a.ini", "x = a"], result.Lines());
    }

    [Fact]
    public void Load_AtFile_ContentWithOneTrailingNewlineDropped()
    {
        var host = new FakeConfigHost().File("s.txt", "secret\n\n").File("a.ini", "[uwsgi]\ns = @(s.txt)\n");
        Assert.Equal("secret\n", host.Load("--ini", "a.ini").GetFirst("s"));
    }

    [Fact]
    public void Load_AtExec_UsesCommandOutput()
    {
        var host = new FakeConfigHost().Command("echo hi", "hi\n").File("a.ini", "[uwsgi]\nc = @(exec://echo hi)\n");
        var result = host.Load("--ini", "a.ini");
        Assert.Equal("hi", result.GetFirst("c"));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Load_AtExecFailing_ErrorAndValueKept()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\nc = @(exec://nope)\n").Load("--ini", "a.ini");
        Assert.Equal("@(exec://nope)", result.GetFirst("c"));
        var error = result.Single(ConfigDiagnosticCode.CommandFailed);
        Assert.Equal(ConfigSeverity.Error, error.Severity);
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AtExecNonZeroExit_OutputUsedWithWarning()
    {
        var host = new FakeConfigHost().Command("false", "partial", exit: 1).File("a.ini", "[uwsgi]\nc = @(exec://false)\n");
        var result = host.Load("--ini", "a.ini");
        Assert.Equal("partial", result.GetFirst("c"));
        Assert.Equal(ConfigSeverity.Warning, result.Single(ConfigDiagnosticCode.CommandFailed).Severity);
    }

    [Fact]
    public void Load_AtMissingFile_Error()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\nc = @(missing)\n").Load("--ini", "a.ini");
        Assert.True(result.HasErrors);
        Assert.Equal(new ConfigLocation("a.ini", 2, 1), result.Single(ConfigDiagnosticCode.CannotRead).Location);
    }

    [Fact]
    public void Load_SetAndPlaceholders_AsUwsgi()
    {
        var host = new FakeConfigHost().File("a.ini", "[uwsgi]\nx = 1\n");
        var result = host.Load("--ini", "a.ini", "--set", "p=%(x)", "--set-ph", "q=%(x)", "--set", "s=%(q)|%(p)");
        Assert.Equal(["ini = a.ini", "x = 1", "set = p=%(x)", "p = 1", "set-ph = q=%(x)", "q = %(x)", "set = s=%(q)|%(p)", "s = %(x)|1"], result.Lines());
    }

    [Fact]
    public void Load_SetWithoutEquals_Error()
    {
        Assert.Equal(ConfigSeverity.Error, new FakeConfigHost().Load("--set", "novalue").Single(ConfigDiagnosticCode.InvalidSet).Severity);
    }

    [Fact]
    public void Load_PlaceholderNamedLikeAnOption_Error()
    {
        Assert.True(new FakeConfigHost().Load("--set-ph", "socket=1").Single(ConfigDiagnosticCode.PlaceholderIsOption).Severity == ConfigSeverity.Error);
    }

    [Fact]
    public void Load_IncludeAndInherit_IncludeImmediateInheritLastAndUnexpanded()
    {
        var host = new FakeConfigHost()
            .Env("HOME", "/h")
            .File("app.ini", "[uwsgi]\nname = app\ninclude = inc.yaml\ninherit = base.json\nafter = %(name)\n")
            .File("inc.yaml", "uwsgi:\n  inc: \"%(name)\"\n")
            .File("base.json", "{\"uwsgi\": {\"base\": \"%(name) $(HOME)\"}}");
        var result = host.Load("--ini", "app.ini", "--master");
        Assert.Equal(["ini = app.ini", "name = app", "include = inc.yaml", "inc = app", "inherit = base.json", "after = app", "master = true", "base = %(name) $(HOME)"], result.Lines());
    }

    [Fact]
    public void Load_IncludeCycle_ErrorNamesTheChain()
    {
        var host = new FakeConfigHost().File("a.ini", "[uwsgi]\ninclude = b.ini\n").File("b.ini", "[uwsgi]\ninclude = a.ini\n");
        var error = host.Load("--ini", "a.ini").Single(ConfigDiagnosticCode.IncludeCycle);
        Assert.Equal(ConfigSeverity.Error, error.Severity);
        Assert.Contains("a.ini → b.ini → a.ini", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ConfigLocation("b.ini", 2, 1), error.Location);
    }

    [Fact]
    public void Load_InheritCycle_TerminatesWithError()
    {
        var host = new FakeConfigHost().File("a.ini", "[uwsgi]\ninherit = b.ini\n").File("b.ini", "[uwsgi]\ninherit = a.ini\n");
        var result = host.Load("--ini", "a.ini");
        Assert.Contains("a.ini → b.ini → a.ini", result.Single(ConfigDiagnosticCode.IncludeCycle).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SameFileOtherSection_IsNotACycle()
    {
        var host = new FakeConfigHost().File("a.ini", "[uwsgi]\nini = a.ini:extra\n[extra]\ne = 1\n");
        var result = host.Load("--ini", "a.ini");
        Assert.Equal("1", result.GetFirst("e"));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Load_ForBlocks_RepeatWithUnderscore()
    {
        var host = new FakeConfigHost()
            .File("apps/one.py", string.Empty).File("apps/two.py", string.Empty).File("list.txt", "l1\r\nl2\n")
            .File("a.ini", "[uwsgi]\nfor = a b\ns = %(_)\nendfor\nfor-glob = apps/*.py\nm = %(_)\nend-for\nfor-times = 2\nw = %(_)\nend\nfor-readline = list.txt\nr = %(_)\nendfor\n");
        var result = host.Load("--ini", "a.ini");
        Assert.Equal(["a", "b"], result.Values("s"));
        Assert.Equal(["apps/one.py", "apps/two.py"], result.Values("m"));
        Assert.Equal(["1", "2"], result.Values("w"));
        Assert.Equal(["l1", "l2"], result.Values("r"));
        Assert.Equal(["for = a b", "endfor = ", "endfor = "], result.Lines().Where(l => l.StartsWith("for =", StringComparison.Ordinal) || l.StartsWith("endfor", StringComparison.Ordinal)));
    }

    [Fact]
    public void Load_IfBlocks_EnvOptFileDirHostnameReload()
    {
        var host = new FakeConfigHost().Env("E", "yes").File("f.txt", "x").File("d/x", string.Empty).File("a.ini", """
            [uwsgi]
            master = true
            if-env = E
            e1 = %(_)
            endif
            if-env = E=no
            e2 = 1
            endif
            if-not-env = NOPE
            e3 = %(_)
            endif
            ifenv = E=yes
            e4 = 1
            end-if
            if-opt = master=true
            o1 = %(_)
            endif
            if-not-opt = workers
            o2 = 1
            endif
            if-exists = f.txt
            x1 = %(_)
            endif
            if-not-exists = none
            x2 = 1
            endif
            if-file = d
            f1 = 1
            endif
            if-not-file = d
            f2 = 1
            endif
            if-dir = d
            d1 = 1
            endif
            if-directory = f.txt
            d2 = 1
            endif
            if-not-dir = f.txt
            d3 = 1
            endif
            if-hostname = testhost
            h1 = %(_)
            endif
            if-not-hostname = testhost
            h2 = 1
            endif
            if-reload =
            r1 = 1
            endif
            if-not-reload =
            r2 = 1
            endif
            """);
        var result = host.Load("--ini", "a.ini");
        var present = result.Options.Select(o => o.Key).ToHashSet();
        Assert.Equal("yes", result.GetFirst("e1"));
        Assert.Equal("%(_)", result.GetFirst("e3"));
        Assert.Equal("true", result.GetFirst("o1"));
        Assert.Equal("f.txt", result.GetFirst("x1"));
        Assert.Equal("testhost", result.GetFirst("h1"));
        Assert.Subset(present, new HashSet<string> { "e1", "e3", "e4", "o1", "o2", "x1", "x2", "f2", "d1", "d3", "h1", "r2" });
        Assert.DoesNotContain(present, k => k is "e2" or "f1" or "d2" or "h2" or "r1");
    }

    [Fact]
    public void Load_UnterminatedBlock_SwallowsFollowingOptionsWithWarning()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\nif-env = NOPE\nx = 1\n").Load("--ini", "a.ini", "--master");
        Assert.Equal(["ini = a.ini", "if-env = NOPE"], result.Lines());
        Assert.Equal(new ConfigLocation("a.ini", 2, 1), result.Single(ConfigDiagnosticCode.UnterminatedBlock).Location);
    }

    [Fact]
    public void Load_NestedLogicBlocks_Error()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\nfor = a b\nif-env = HOME\nendif\n").Load("--ini", "a.ini");
        Assert.Contains(result.Diagnostics, d => d.Code == ConfigDiagnosticCode.RecursiveLogic && d.Severity == ConfigSeverity.Error);
    }

    [Fact]
    public void Load_ForTimesRunaway_StopsAtTheOptionLimit()
    {
        var result = ConfigLoader.Load(["--for-times", "2000000000", "--socket", "y"], new FakeConfigHost(), new ConfigLimits { MaxOptions = 1000 });
        Assert.Equal(ConfigSeverity.Error, Assert.Single(result.Diagnostics, d => d.Code == ConfigDiagnosticCode.TooManyOptions).Severity);
        Assert.Equal(1000, result.Options.Count);
    }

    [Fact]
    public void Load_StrictMode_UnknownOptionsAreErrors()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\nstrict\nsocket = :1\nset-ph = p=1\nbogus = 1\n").Load("--ini", "a.ini");
        Assert.Contains("bogus", result.Single(ConfigDiagnosticCode.StrictUnknownOption).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BareFiles_LoadedBySuffixAfterOptions()
    {
        var host = new FakeConfigHost().File("a.ini", "[uwsgi]\na = %N\n").File("b.yml", "uwsgi:\n  b: 1\n");
        var result = host.Load("a.ini", "--master", "b.yml", "[skip]");
        Assert.Equal(["master = true", "a = ", "b = 1"], result.Lines());
    }

    [Fact]
    public void Load_ConfigOption_LoadsBySuffixOfTheFilePart()
    {
        var host = new FakeConfigHost().File("a.json", "{\"s\": {\"a\": 1}}");
        Assert.Equal("1", host.Load("--config", "a.json:s").GetFirst("a"));
        Assert.Equal(ConfigDiagnosticCode.UnknownFormat, Assert.Single(host.Load("--config", "a.txt").Diagnostics).Code);
    }

    [Fact]
    public void Load_JsonSection_TruncatesTheArgumentForGood()
    {
        var result = new FakeConfigHost().File("a.json", "{\"s\": {\"o\": \"%o\"}}").Load("--json", "a.json:s");
        Assert.Equal(["json = a.json", "o = a.json"], result.Lines());
    }

    [Fact]
    public void Load_EmperorScheme_ReadsThePushedConfig()
    {
        var host = new FakeConfigHost { PushedConfig = "[uwsgi]\nsocket = :1\nn = [%n]\n"u8.ToArray() };
        var result = host.Load("--ini", "emperor://app.ini");
        Assert.Equal(["ini = emperor://app.ini", "socket = :1", "n = []"], result.Lines());
    }

    [Fact]
    public void Load_EmperorSchemeWithoutEmperor_Error()
    {
        var error = new FakeConfigHost().Load("--ini", "emperor://app.ini").Single(ConfigDiagnosticCode.CannotRead);
        Assert.Contains("not a vassal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExecSchemeConfig_ReadsCommandOutput()
    {
        var host = new FakeConfigHost().Command("cat x", "[uwsgi]\nfrom = %o\n");
        Assert.Equal("exec://cat x", host.Load("--ini", "exec://cat x").GetFirst("from"));
    }

    [Fact]
    public void Load_MissingFile_ErrorAtTheCommandLineArgument()
    {
        var error = new FakeConfigHost().Load("--master", "--ini", "nope.ini").Single(ConfigDiagnosticCode.CannotRead);
        Assert.Equal(new ConfigLocation("<command line>", 1, 2), error.Location);
        Assert.Contains("nope.ini", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TooLargeFile_ClearErrorNothingRead()
    {
        var host = new FakeConfigHost().File("big.ini", new byte[2048]);
        var result = ConfigLoader.Load(["--ini", "big.ini"], host, new ConfigLimits { MaxFileBytes = 1024 });
        var error = result.Single(ConfigDiagnosticCode.FileTooLarge);
        Assert.Contains("2048", error.Message, StringComparison.Ordinal);
        Assert.Equal(["ini = big.ini"], result.Lines());
    }

    [Fact]
    public void Load_HundredMebibyteFile_RefusedAtTheDefaultLimit()
    {
        var host = new FakeConfigHost().File("huge.ini", new byte[100 * 1024 * 1024]);
        Assert.Contains("16777216", host.Load("--ini", "huge.ini").Single(ConfigDiagnosticCode.FileTooLarge).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidUtf8_ErrorWithPosition()
    {
        var host = new FakeConfigHost().File("a.ini", [.. "[uwsgi]\na = 1\nb = "u8.ToArray(), 0xFF, 0xFE, (byte)'\n']);
        var error = host.Load("--ini", "a.ini").Single(ConfigDiagnosticCode.InvalidUtf8);
        Assert.Equal(new ConfigLocation("a.ini", 3, 5), error.Location);
    }

    [Fact]
    public void Load_BinaryGarbage_ErrorsNoThrow()
    {
        var bytes = Enumerable.Range(0, 4096).Select(i => (byte)((i * 7919) % 256)).ToArray();
        var host = new FakeConfigHost().File("a.ini", bytes).File("a.xml", bytes).File("a.yaml", bytes).File("a.json", bytes);
        foreach (var name in new[] { "a.ini", "a.xml", "a.yaml", "a.json" })
        {
            Assert.True(host.Load(name).HasErrors, name);
        }
    }

    [Fact]
    public void Load_ByteOrderMark_DroppedWithWarning()
    {
        var host = new FakeConfigHost().File("a.ini", [0xEF, 0xBB, 0xBF, .. "[uwsgi]\na = 1\n"u8.ToArray()]);
        var result = host.Load("--ini", "a.ini");
        Assert.Equal("1", result.GetFirst("a"));
        Assert.Equal(ConfigSeverity.Warning, result.Single(ConfigDiagnosticCode.ByteOrderMark).Severity);
    }

    [Fact]
    public void Load_MagicSubstitution_DiagnosticLinesPointAtTheOriginalText()
    {
        var host = new FakeConfigHost().File("/x/a.ini", "[uwsgi]\nk = 50%\nn = %d%d%d\nbad = %(open\n");
        var error = host.Load("--ini", "/x/a.ini").Single(ConfigDiagnosticCode.UnterminatedPlaceholder);
        Assert.Equal(new ConfigLocation("/x/a.ini", 4, 1), error.Location);
    }

    [Fact]
    public void Load_InjectBeforeAndAfter_GluedAroundEveryFile()
    {
        var host = new FakeConfigHost().File("b.txt", "[uwsgi]\nbefore = %n\n").File("a.txt", "after = 1\n").File("app.ini", "[uwsgi]\nmain = 1\n");
        var result = host.Load("--inject-before", "b.txt", "--inject-after", "a.txt", "--ini", "app.ini");
        Assert.Equal(["inject-before = b.txt", "inject-after = a.txt", "ini = app.ini", "before = app", "main = 1", "after = 1"], result.Lines());
    }

    [Fact]
    public void Load_ImmediateOptions_NotExpanded()
    {
        var result = new FakeConfigHost().File("a.ini", "[uwsgi]\nx = 5\nlisten = %(x)\nn = %(x)\n").Load("--ini", "a.ini");
        Assert.Equal("%(x)", result.GetFirst("listen"));
        Assert.Equal("5", result.GetFirst("n"));
    }
}
