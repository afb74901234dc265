namespace Emperor.Router.Tests;

/// <summary>Which configs make a router, and the one line for every router option it does not implement.</summary>
public sealed class RouterRoleTests
{
    private static List<KeyValuePair<string, string>> Options(params (string Key, string Value)[] o) => [.. o.Select(x => new KeyValuePair<string, string>(x.Key, x.Value))];

    [Fact]
    public void A_front_without_a_program_is_a_router_and_a_binary_patch_or_emperor_is_not()
    {
        Assert.True(RouterRole.Wants(Options(("http", ":80"))));
        Assert.True(RouterRole.Wants(Options(("fastrouter", "/run/fr.sock"), ("fastrouter-subscription-server", ":3031"))));
        Assert.False(RouterRole.Wants(Options(("http", ":80"), ("unprivileged-binary-patch-arg", "exec app"))));
        Assert.False(RouterRole.Wants(Options(("http", ":80"), ("emperor", "/etc/vassals"))));
        Assert.False(RouterRole.Wants(Options(("http-socket", ":80"))));
    }

    [Fact]
    public void Every_unimplemented_router_option_and_bad_value_is_one_line()
    {
        var lines = RouterRole.Refused(Options(
            ("http", ":80"), ("http-websockets", "1"), ("http-websockets", "1"), ("fastrouter-use-cache", "1"), ("http-keepalive", "1"),
            ("subscription-dotsplit", "1"), ("https", ":443,a.crt,a.key"), ("subscriptions-sign-check", "SHA1:/k"),
            ("http-socket", ":81"), ("http-timeout", "0"), ("subscription-tolerance", "30")));
        Assert.Equal(
            [
                "option http-websockets is not implemented by this router; run the router under the real uWSGI (--binary-path) if you need it",
                "option fastrouter-use-cache is not implemented by this router; run the router under the real uWSGI (--binary-path) if you need it",
                "option subscription-dotsplit is not implemented by this router; run the router under the real uWSGI (--binary-path) if you need it",
                "option https is not implemented by this router; run the router under the real uWSGI (--binary-path) if you need it",
                "option subscriptions-sign-check is not implemented by this router; run the router under the real uWSGI (--binary-path) if you need it",
                "http-timeout = 0: expected a whole number of seconds above 0",
            ],
            lines);
    }
}
