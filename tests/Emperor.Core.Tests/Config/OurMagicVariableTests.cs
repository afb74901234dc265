using Emperor.Core.Config.Loading;

namespace Emperor.Core.Tests.Config;

/// <summary>
/// Our magic variables, on letters uWSGI leaves empty: <c>%a</c> the vassal's name, <c>%w</c> that name without its
/// section, <c>%q</c> a stable number from the name; <c>%x</c> (uWSGI's) is the section.
/// </summary>
public sealed class OurMagicVariableTests
{
    [Fact]
    public void ASectionOfAMultiVassalFile_HasItsNameFileSectionAndNumber()
    {
        var host = new FakeConfigHost().File("/etc/vassals/sites.ini", "[emperor]\nvassals = shop\n[base]\nb = %a\n[shop]\nini = :base\nv = %a|%w|%x|%q\nsocket = 127.0.0.1:%(8000 + %q)\n");
        host.Facts = host.Facts with { Cwd = "/etc/vassals" };
        var result = host.Load("--ini", "sites.ini:shop");
        var number = MagicTable.VassalNumber("sites.ini:shop");
        Assert.Equal($"sites.ini:shop|sites.ini|shop|{number}", result.GetFirst("v"));
        Assert.Equal("127.0.0.1:" + (8000 + int.Parse(number, System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture), result.GetFirst("socket"));

        // An included section still sees the vassal's name, not its own argument.
        Assert.Equal("sites.ini:shop", result.GetFirst("b"));
    }

    [Fact]
    public void APushedConfig_IsNamedWithoutTheScheme_WhereUwsgisPathVariablesAreEmpty()
    {
        var host = new FakeConfigHost { PushedConfig = "[uwsgi]\nv = %a|%w|%n|%q\n"u8.ToArray() };
        var result = host.Load("--ini", "emperor://app.ini");
        Assert.Equal($"app.ini|app.ini||{MagicTable.VassalNumber("app.ini")}", result.GetFirst("v"));
    }

    [Fact]
    public void APushedMultiVassalDocument_ItsSectionsAndTheSectionsTheyLoad_KnowTheVassalsName()
    {
        var host = new FakeConfigHost { PushedConfig = "[emperor]\nvassals = shop\n[base]\nb = %a|%w|%q\n[shop]\nini = :base\nv = %a|%w|%x\n"u8.ToArray() };
        var result = host.Load("--ini", "emperor://sites.ini:shop");
        Assert.Equal("sites.ini:shop|sites.ini|", result.GetFirst("v"));
        Assert.Equal($"sites.ini:shop|sites.ini|{MagicTable.VassalNumber("sites.ini:shop")}", result.GetFirst("b"));
    }

    [Fact]
    public void TheNumber_IsStable_InRange_AndDiffersBetweenNames()
    {
        Assert.Equal(MagicTable.VassalNumber("a.ini"), MagicTable.VassalNumber("a.ini"));
        var numbers = Enumerable.Range(0, 200).Select(i => int.Parse(MagicTable.VassalNumber($"site{i}.ini"), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(numbers, n => Assert.InRange(n, 0, 9999));
        Assert.True(numbers.Distinct().Count() > 180, "the numbers cluster");
        Assert.Equal(string.Empty, MagicTable.VassalNumber(string.Empty));
    }
}
