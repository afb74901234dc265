using Emperor.Core.Config;
using Emperor.Core.Emperor;

namespace Emperor.Core.Tests.Emperor;

/// <summary>The one line a refused config costs (issue #17 §1): which errors count, where, and how long.</summary>
public sealed class ConfigRefusalTests
{
    private static readonly string[] s_args = ["/usr/bin/emperor", "--ini", "shop.ini:web"];

    private static ConfigDiagnostic Error(string source, int line, ConfigDiagnosticCode code, string message) =>
        new(new ConfigLocation(source, line, 1), ConfigSeverity.Error, code, message);

    private static ConfigLoadResult Reading(params ConfigDiagnostic[] diagnostics) => new([], diagnostics);

    [Fact]
    public void Warnings_alone_never_refuse()
    {
        var warning = new ConfigDiagnostic(new ConfigLocation("shop.ini", 2, 1), ConfigSeverity.Warning, ConfigDiagnosticCode.UndefinedPlaceholder, "w");
        Assert.Null(ConfigRefusal.Of(Reading(warning), s_args, ownRole: true));
    }

    [Fact]
    public void The_first_error_with_its_place_and_the_count_of_the_others()
    {
        var reading = Reading(
            Error("shop.ini", 4, ConfigDiagnosticCode.CannotRead, "first"),
            Error("common.ini", 9, ConfigDiagnosticCode.CannotRead, "second"),
            Error("shop.ini", 5, ConfigDiagnosticCode.CannotRead, "third"));
        Assert.Equal("4:1 first (and 2 more)", ConfigRefusal.Of(reading, s_args, ownRole: true));
        Assert.Equal("common.ini:9:1 second", ConfigRefusal.Of(Reading(Error("common.ini", 9, ConfigDiagnosticCode.CannotRead, "second")), s_args, ownRole: true));
    }

    [Fact]
    public void A_foreign_binary_is_refused_an_include_cycle_only()
    {
        var reading = Reading(
            Error("shop.ini", 4, ConfigDiagnosticCode.CannotRead, "ours"),
            Error("b.ini", 2, ConfigDiagnosticCode.IncludeCycle, "cycle"));
        Assert.Equal("b.ini:2:1 cycle", ConfigRefusal.Of(reading, s_args, ownRole: false));
        Assert.Null(ConfigRefusal.Of(Reading(Error("shop.ini", 4, ConfigDiagnosticCode.CannotRead, "ours")), s_args, ownRole: false));
    }

    [Fact]
    public void A_long_message_is_cut_so_the_line_stays_bounded()
    {
        var reason = ConfigRefusal.Of(Reading(Error("shop.ini", 1, ConfigDiagnosticCode.IniSectionHeader, new string('x', 5000))), s_args, ownRole: true)!;
        Assert.Equal("1:1 ".Length + ConfigRefusal.MaxMessageChars + 1, reason.Length);
        Assert.EndsWith("x…", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_of_the_plan_name_the_first_and_count_the_rest()
    {
        Assert.Null(ConfigRefusal.Of([]));
        Assert.Equal("a (and 1 more)", ConfigRefusal.Of(["a", "b"]));
    }
}
