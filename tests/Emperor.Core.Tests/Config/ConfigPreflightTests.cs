using System.Text;
using Emperor.Core.Config;

namespace Emperor.Core.Tests.Config;

public sealed class ConfigPreflightTests
{
    [Theory]
    [InlineData("[uwsgi]\nsocket = :3031\n")]
    [InlineData("\uFEFF[uwsgi]\nname = caf\u00e9 \u2603 \U0001F600\n")]
    [InlineData("")]
    public void Text_configs_pass(string text) => Assert.Null(ConfigPreflight.Inspect(Encoding.UTF8.GetBytes(text), complete: true));

    [Fact]
    public void A_nul_byte_is_a_binary_file() =>
        Assert.Equal("a binary file (NUL byte at offset 3), not a config", ConfigPreflight.Inspect([65, 66, 67, 0, 68], complete: true));

    [Fact]
    public void Latin1_is_not_utf8() =>
        Assert.Equal("not UTF-8 (invalid byte 0xe9 at offset 3)", ConfigPreflight.Inspect(Encoding.Latin1.GetBytes("caf\u00e9"), complete: true));

    [Fact]
    public void A_character_cut_by_the_inspection_limit_is_not_an_error()
    {
        var bytes = Encoding.UTF8.GetBytes("ab\u2603");
        Assert.Null(ConfigPreflight.Inspect(bytes.AsSpan(0, 3), complete: false));
        Assert.NotNull(ConfigPreflight.Inspect(bytes.AsSpan(0, 3), complete: true));
    }
}
