using System.Globalization;
using System.Text.Json;
using Emperor.IntegrationTests.Emperor;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard with 2000 running vassals in a real headless Chromium (issue #16: "stays usable with 2000
/// vassals"): every row arrives, each second's update reaches the page, the filter finds one row. It measures and
/// reports — never asserts — the page load until all rows are there, the time one update takes (JSON parse, the
/// row updates, the next frame), the DOM size, how many DOM writes an update makes, the payload bytes per update and
/// the time the filter takes; docs/dashboard.md quotes a run.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class DashboardScaleTests(ITestOutputHelper output)
{
    private const int Count = 2000;
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(120);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Installed in the page: wraps update() and listens to the same event source, one sample per update.</summary>
    private const string Instrument = """
        window.__samples = [];
        window.__writes = 0;
        new MutationObserver(list => { window.__writes += list.length; })
          .observe(document.querySelector('#vassals tbody'), { subtree: true, childList: true, characterData: true, attributes: true });
        const original = window.update;
        window.update = function (payload) {
          const start = performance.now();
          const writesBefore = window.__writes;
          original(payload);
          const updated = performance.now();
          requestAnimationFrame(() => setTimeout(() => {
            window.__samples.push({ update: updated - start, frame: performance.now() - start, writes: window.__writes - writesBefore });
          }, 0));
        };
        window.__parses = [];
        events.addEventListener('stats', e => {
          const start = performance.now();
          JSON.parse(e.data);
          window.__parses.push({ parse: performance.now() - start, bytes: new TextEncoder().encode(e.data).length });
        });
        """;

    [Fact(Timeout = 400_000)]
    public Task InChromium_TwoThousandVassals_AllRowsArrive_UpdatesRender_AndTheFilterFindsOne() =>
        EmperorScenario.RunAsync("dashboard-scale", async s =>
        {
            // A foreign binary that is only a shell and a sleep: 2000 of them cost little, and each is a live row.
            var binary = s.Root.WriteFile("sleeper.sh", "#!/bin/sh\nexec sleep 100000\n");
            File.SetUnixFileMode(binary, (UnixFileMode)Convert.ToInt32("755", 8));
            for (var i = 0; i < Count; i++)
            {
                s.WriteVassal($"v{i:0000}.ini", "[uwsgi]\nsocket = 127.0.0.1:0\n");
            }

            var port = FreePort.Tcp(IPAddressOf("127.0.0.2"));
            var emperor = await s.StartEmperorAsync("--binary-path", binary, "--emperor-dashboard", $"127.0.0.2:{port}");
            await emperor.WaitForStatsAsync(st => st.Vassals.Count(v => v.IsRunning) == Count, s_deadline, $"{Count} vassals running", Cancel);

            using var browser = Browser.Start();
            browser.Driver.Navigate().GoToUrl($"http://127.0.0.2:{port}/");
            var script = browser.Driver;
            browser.Driver.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromSeconds(60);
            var allRows = Convert.ToDouble(script.ExecuteAsyncScript($$"""
                const done = arguments[arguments.length - 1];
                (function poll() {
                  if (document.querySelectorAll('#vassals tbody tr').length >= {{Count}}) done(performance.now());
                  else setTimeout(poll, 5);
                })();
                """), CultureInfo.InvariantCulture);
            var domReady = Convert.ToDouble(script.ExecuteScript("return performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd;"), CultureInfo.InvariantCulture);

            script.ExecuteScript(Instrument);
            var json = (string?)script.ExecuteAsyncScript("""
                const done = arguments[arguments.length - 1];
                (function poll() {
                  if (window.__samples.length >= 6 && window.__parses.length >= 6) done(JSON.stringify({ samples: window.__samples, parses: window.__parses }));
                  else setTimeout(poll, 50);
                })();
                """);
            var nodes = Convert.ToInt64(script.ExecuteScript("return document.getElementsByTagName('*').length;"), CultureInfo.InvariantCulture);
            var rows = Convert.ToInt64(script.ExecuteScript("return document.querySelectorAll('#vassals tbody tr').length;"), CultureInfo.InvariantCulture);
            var filter = Convert.ToDouble(script.ExecuteScript("""
                const f = document.getElementById('filter');
                const start = performance.now();
                f.value = 'v1234.ini';
                f.dispatchEvent(new Event('input'));
                void document.body.offsetHeight;
                return performance.now() - start;
                """), CultureInfo.InvariantCulture);
            var shown = Convert.ToInt64(script.ExecuteScript("return [...document.querySelectorAll('#vassals tbody tr')].filter(r => !r.hidden).length;"), CultureInfo.InvariantCulture);

            using var measured = JsonDocument.Parse(json ?? throw new InvalidOperationException("no measurements came back"));
            var samples = measured.RootElement.GetProperty("samples").EnumerateArray().Skip(1).ToList(); // the first may straddle the instrumenting
            var parses = measured.RootElement.GetProperty("parses").EnumerateArray().Skip(1).ToList();
            double Median(IEnumerable<double> values)
            {
                var sorted = values.Order().ToList();
                return sorted[sorted.Count / 2];
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dashboard at {Count} vassals (headless Chromium, this machine):"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  page load: DOMContentLoaded {domReady:0} ms, all {Count} rows {allRows:0} ms after navigation start"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  one update: JSON.parse {Median(parses.Select(p => p.GetProperty("parse").GetDouble())):0.0} ms, row updates {Median(samples.Select(p => p.GetProperty("update").GetDouble())):0.0} ms, until the next frame {Median(samples.Select(p => p.GetProperty("frame").GetDouble())):0.0} ms (medians of {samples.Count})"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  DOM writes per update: {Median(samples.Select(p => (double)p.GetProperty("writes").GetInt32())):0} (mutation records)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  payload per update: {Median(parses.Select(p => (double)p.GetProperty("bytes").GetInt64())):0} bytes"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  DOM nodes: {nodes}; filter to one row: {filter:0.0} ms"));

            Assert.Equal(Count, rows);
            Assert.Equal(1, shown);
            Assert.True(samples.Count >= 5, "updates kept arriving");
        }, TestContext.Current.CancellationToken);

    private static System.Net.IPAddress IPAddressOf(string text) => System.Net.IPAddress.Parse(text);
}
