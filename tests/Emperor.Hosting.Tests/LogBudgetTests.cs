namespace Emperor.Hosting.Tests;

/// <summary>What the Emperor says about one vassal is bounded, and what it leaves out is counted (issue #17 §1).</summary>
public sealed class LogBudgetTests
{
    private static int Decisions(LoopHarness h, string vassal) =>
        h.Log.Entries.Count(e => e.Id.Id >= EmperorService.DecisionEventBase && Equals(e.Fields.GetValueOrDefault("Vassal"), vassal) && e.Text.Contains("reload the uwsgi instance", StringComparison.Ordinal));

    [Fact]
    public async Task A_churning_vassal_costs_at_most_its_budget_and_one_suppressed_line_accounts_for_the_rest()
    {
        await using var h = await LoopHarness.StartAsync(m =>
        {
            m.Write("churn.ini", notify: false);
            m.Write("calm.ini", notify: false);
        });
        await LoopHarness.EventuallyAsync(() => Task.FromResult(h.Launcher.Launches.Count), n => n == 2, "both vassals launched"); // the second may come a loop turn after the first stats answer

        const int Changes = 100;
        for (var i = 0; i < Changes; i++)
        {
            h.Monitor.Write("churn.ini"); // each change is a reload decision and its line
            await h.ScanAsync();
        }

        var passed = Decisions(h, "churn.ini");
        Assert.InRange(passed, 40, 40 + 3); // the burst, plus one a second of the 2.5 s of fake time the scans took

        h.Monitor.Write("calm.ini"); // another vassal's budget is its own
        await h.ScanAsync();
        Assert.Equal(1, Decisions(h, "calm.ini"));

        await h.AdvanceAsync(TimeSpan.FromSeconds(5));
        h.Monitor.Write("churn.ini");
        await h.ScanAsync();
        // Every decision is either a line or counted in a "suppressed" line written before the next line that passed.
        var reports = h.Log.Entries.Where(e => e.Text.StartsWith("[emperor] vassal churn.ini: suppressed ", StringComparison.Ordinal)).ToList();
        Assert.InRange(reports.Count, 1, 4);
        Assert.All(reports, r => Assert.EndsWith(" lines (more than 40 at once, then one a second)", r.Text, StringComparison.Ordinal));
        var counted = reports.Sum(r => Convert.ToInt64(r.Fields["Count"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Changes + 1, Decisions(h, "churn.ini") + counted);
        Assert.Equal(2, h.Launcher.Launches.Count); // reloads by byte: no process was started for a line
    }
}
