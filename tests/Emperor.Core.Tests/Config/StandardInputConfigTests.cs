using System.Text;
using Emperor.Core.Config;

namespace Emperor.Core.Tests.Config;

/// <summary>
/// A config named <c>-</c> is standard input (core/io.c <c>uwsgi_open_and_read</c>), in every format and in
/// <c>@(-)</c>; the differential corpus (<c>stdin-*</c>) compares the same inputs with real uWSGI.
/// </summary>
public sealed class StandardInputConfigTests
{
    [Fact]
    public void Load_IniFromStandardInput_ReadsItsUwsgiSectionAndSetsOnlyO()
    {
        var host = new FakeConfigHost { StandardInput = Encoding.UTF8.GetBytes("[uwsgi]\nsocket = :3031\nwho = %o|%n|%x\n[other]\nx = 1\n") };
        var result = host.Load("--ini", "-");
        Assert.Equal(["ini = -", "socket = :3031", "who = -||"], result.Lines());
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Load_StandardInputNamedTwice_SecondReadFindsItsEnd()
    {
        var host = new FakeConfigHost { StandardInput = Encoding.UTF8.GetBytes("[uwsgi]\na = 1\nini = :s\n[s]\nb = 2\n") };
        var result = host.Load("--ini", "-", "--yaml", "-");
        Assert.Equal(["ini = -", "a = 1", "ini = :s", "yaml = -"], result.Lines());
        Assert.Equal(3, host.StandardInputReads);
    }

    [Fact]
    public void Load_AtStandardInput_SubstitutesItsText()
    {
        var host = new FakeConfigHost { StandardInput = Encoding.UTF8.GetBytes("secret") }.File("app.ini", "[uwsgi]\nv = @(-)\n");
        Assert.Equal(["ini = app.ini", "v = secret"], host.Load("--ini", "app.ini").Lines());
    }

    [Fact]
    public void Load_StandardInputAboveTheLimit_IsOneErrorNamingIt()
    {
        var host = new FakeConfigHost { StandardInput = new byte[ConfigLimits.Default.MaxFileBytes + 1] };
        var result = host.Load("--json", "-");
        var error = result.Single(ConfigDiagnosticCode.FileTooLarge);
        Assert.Contains("-", error.Message, StringComparison.Ordinal);
    }
}
