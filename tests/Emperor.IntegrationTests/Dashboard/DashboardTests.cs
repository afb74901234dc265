using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Emperor.IntegrationTests.Emperor;
using Emperor.Testing;
using OpenQA.Selenium;

namespace Emperor.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard (docs/dashboard.md) in a real headless Chromium: the page lists the vassals, shows a blacklisted
/// vassal's reason, a reload click restarts one (new pid), the filter box hides rows, the log tail shows lines the
/// vassal prints; and over plain HTTP: a POST without the CSRF token and a request without the password are refused.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class DashboardTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(20);
    private static readonly IPAddress s_address = IPAddress.Parse("127.0.0.2");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Prints "hello from good N" every 0.2 s (no $ or %: the config language would expand them).</summary>
    private const string Greeter = "exec awk 'BEGIN { for (i = 1; ; i++) { print \"hello from good \" i; fflush(); system(\"sleep 0.2\") } }'";

    [Fact(Timeout = 120_000)]
    public Task InChromium_ListsVassals_ShowsTheBlacklistReason_ReloadsOnClick_FiltersAndTailsTheLog() =>
        EmperorScenario.RunAsync("dashboard", async s =>
        {
            s.WriteVassal("good.ini", VassalFile.Command(Greeter));
            s.WriteVassal("bad.ini", VassalFile.Command("echo failing on purpose; exit 1"));
            // 127.0.0.2: a port of its own, never the one the scenario picks for the stats socket on 127.0.0.1.
            var port = FreePort.Tcp(s_address);
            var emperor = await s.StartEmperorAsync("--emperor-dashboard", $"127.0.0.2:{port}", "--emperor-throttle", "5000");
            var before = await emperor.WaitForRunningPidAsync("good.ini", s_deadline, Cancel);
            await emperor.WaitForStatsAsync(st => st.Blacklist.Any(b => b.Id == "bad.ini"), s_deadline, "bad.ini blacklisted", Cancel);

            using var browser = Browser.Start();
            browser.Driver.Navigate().GoToUrl($"http://127.0.0.2:{port}/");
            var good = By.CssSelector("tr[data-id='good.ini']");
            var bad = By.CssSelector("tr[data-id='bad.ini']");
            await Wait.UntilAsync(() => browser.TextOf(good) is { } t && t.Contains(before.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), s_deadline, "good.ini's row with its pid", Cancel);
            await Wait.UntilAsync(() => browser.TextOf(bad) is { } t && t.Contains("blacklisted", StringComparison.Ordinal), s_deadline, "bad.ini's row saying it is blacklisted", Cancel);
            Assert.Contains("next attempt in", browser.TextOf(bad), StringComparison.Ordinal);

            if (Environment.GetEnvironmentVariable("EMPEROR_UPDATE_GOLDEN") == "1")
            {
                browser.Driver.GetScreenshot().SaveAsFile(Path.Combine(TestPaths.RepoRoot, "docs", "dashboard.png"));
            }

            // The log tail shows what the vassal prints, live.
            browser.Driver.FindElement(By.CssSelector("tr[data-id='good.ini'] td.name")).Click();
            var logText = By.Id("logs-text");
            await Wait.UntilAsync(() => browser.TextOf(logText)?.Contains("hello from good", StringComparison.Ordinal) == true, s_deadline, "the log tail", Cancel);
            var shown = LastGreeting(browser.TextOf(logText)!);
            await Wait.UntilAsync(() => LastGreeting(browser.TextOf(logText) ?? string.Empty) >= shown + 3, s_deadline, "new lines in the open log tail", Cancel);

            // The filter hides rows without touching the others.
            browser.Driver.FindElement(By.Id("filter")).SendKeys("bad");
            await Wait.UntilAsync(() => !browser.Driver.FindElement(good).Displayed && browser.Driver.FindElement(bad).Displayed, s_deadline, "only bad.ini shown", Cancel);
            browser.Driver.FindElement(By.Id("filter")).SendKeys(Keys.Backspace + Keys.Backspace + Keys.Backspace); // typed away, as a user does
            await Wait.UntilAsync(() => browser.Driver.FindElement(good).Displayed, s_deadline, "good.ini shown again", Cancel);

            // A reload click restarts the vassal: a new pid in the stats, and on the page.
            browser.Driver.FindElement(By.Id("logs-close")).Click();
            browser.Driver.FindElement(By.CssSelector("tr[data-id='good.ini'] button[data-verb='reload']")).Click();
            var after = await emperor.WaitForRunningPidAsync("good.ini", s_deadline, pid => pid != before, Cancel);
            await Wait.UntilAsync(() => browser.TextOf(By.CssSelector("tr[data-id='good.ini'] td.pid")) == after.ToString(CultureInfo.InvariantCulture), s_deadline, "the new pid on the page", Cancel);
            Assert.Contains("reloading good.ini", browser.TextOf(By.Id("message")), StringComparison.Ordinal);
        }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 90_000)]
    public Task InChromium_ARowShowsTheHeldSockets_AndTheAnnouncedKeys_AndTheFilterFindsAKey() =>
        EmperorScenario.RunAsync("dashboard-routes", async s =>
        {
            var http = FreePort.Tcp();
            var router = FreePort.Tcp(); // a port nobody serves: the announces are datagrams to it, unanswered
            s.WriteVassal("shop.ini", VassalFile.Command(
                "exec sleep 100000",
                $"http-socket = 127.0.0.1:{http}",
                $"subscribe-to = 127.0.0.1:{router}:shop.example",
                $"subscribe-to = 127.0.0.1:{router}:www.shop.example"));
            s.WriteVassal("plain.ini", VassalFile.Sleep());
            var port = FreePort.Tcp(s_address);
            var emperor = await s.StartEmperorAsync("--emperor-dashboard", $"127.0.0.2:{port}");
            await emperor.WaitForRunningPidAsync("shop.ini", s_deadline, Cancel);
            await emperor.WaitForRunningPidAsync("plain.ini", s_deadline, Cancel);

            using var browser = Browser.Start();
            browser.Driver.Navigate().GoToUrl($"http://127.0.0.2:{port}/");
            var sockets = By.CssSelector("tr[data-id='shop.ini'] td.sockets");
            var routes = By.CssSelector("tr[data-id='shop.ini'] td.routes");
            await Wait.UntilAsync(() => browser.TextOf(sockets) == $"127.0.0.1:{http}", s_deadline, "shop.ini's held socket on its row", Cancel);
            var expected = $"shop.example → 127.0.0.1:{router} (announced)\nwww.shop.example → 127.0.0.1:{router} (announced)";
            await Wait.UntilAsync(() => browser.TextOf(routes) == expected, s_deadline, "shop.ini's two announced keys on its row", Cancel);
            Assert.Equal(string.Empty, browser.TextOf(By.CssSelector("tr[data-id='plain.ini'] td.routes")));

            // The filter finds a vassal by one of its keys.
            browser.Driver.FindElement(By.Id("filter")).SendKeys("www.shop");
            await Wait.UntilAsync(
                () => browser.Driver.FindElement(By.CssSelector("tr[data-id='shop.ini']")).Displayed && !browser.Driver.FindElement(By.CssSelector("tr[data-id='plain.ini']")).Displayed,
                s_deadline,
                "only shop.ini shown for its key",
                Cancel);
        }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task OverHttp_APostWithoutTheCsrfToken_AndARequestWithoutThePassword_AreRefused() =>
        EmperorScenario.RunAsync("dashboard-auth", async s =>
        {
            s.WriteVassal("good.ini", VassalFile.Sleep());
            var auth = s.Root.WriteFile("dashboard.users", "# operators\nalice:sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("s3cret"u8)) + "\nbob:plain\n");
            var port = FreePort.Tcp(s_address);
            var emperor = await s.StartEmperorAsync("--emperor-dashboard", $"127.0.0.2:{port}", "--emperor-dashboard-auth", auth);
            var pid = await emperor.WaitForRunningPidAsync("good.ini", s_deadline, Cancel);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.2:{port}/") };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/", UriKind.Relative), Cancel)).StatusCode);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("alice:wrong"u8));
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/", UriKind.Relative), Cancel)).StatusCode);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("alice:s3cret"u8));
            var page = await http.GetStringAsync(new Uri("/", UriKind.Relative), Cancel);
            var token = page.Split("name=\"csrf-token\" content=\"")[1].Split('"')[0];

            using var noToken = new FormUrlEncodedContent([new("verb", "stop"), new("name", "good.ini")]);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync(new Uri("/api/action", UriKind.Relative), noToken, Cancel)).StatusCode);
            Assert.Equal(pid, await emperor.WaitForRunningPidAsync("good.ini", s_deadline, Cancel)); // still running, untouched

            using var withToken = new FormUrlEncodedContent([new("verb", "stop"), new("name", "good.ini")]);
            withToken.Headers.Add("X-CSRF-Token", token);
            var reply = await http.PostAsync(new Uri("/api/action", UriKind.Relative), withToken, Cancel);
            Assert.Equal((HttpStatusCode.OK, "ok stopping good.ini\n"), (reply.StatusCode, await reply.Content.ReadAsStringAsync(Cancel)));
            await emperor.WaitForStatsAsync(st => st.Vassals.Single().State == "held", s_deadline, "good.ini held", Cancel);

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("bob:plain"u8));
            Assert.Contains("\"good.ini\"", await http.GetStringAsync(new Uri("/api/stats", UriKind.Relative), Cancel), StringComparison.Ordinal);
        }, TestContext.Current.CancellationToken);

    private static int LastGreeting(string text) =>
        text.Split('\n').Where(l => l.StartsWith("hello from good ", StringComparison.Ordinal))
            .Select(l => int.Parse(l["hello from good ".Length..], CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
}
