using Emperor.Core.Logs;

namespace Emperor.Core.Tests.Logs;

public sealed class LogRingTests
{
    private static VassalLogLine Line(string text) => new(DateTimeOffset.UnixEpoch, "v", 1, VassalStream.Stdout, text);

    [Fact]
    public void KeepsTheLastLines_OldestFirst()
    {
        var ring = new LogRing(3, 1000);
        foreach (var t in new[] { "1", "2", "3", "4", "5" })
        {
            ring.Add(Line(t));
        }

        Assert.Equal(3, ring.Count);
        Assert.Equal(["3", "4", "5"], ring.Last(10).Select(l => l.Text));
        Assert.Equal(["4", "5"], ring.Last(2).Select(l => l.Text));
        Assert.Empty(ring.Last(0));
    }

    [Fact]
    public void TheCharacterBudget_DropsOldLines_ButKeepsTheNewestEvenIfItAloneIsTooLong()
    {
        var ring = new LogRing(100, 10);
        ring.Add(Line("aaaa"));
        ring.Add(Line("bbbb"));
        ring.Add(Line("cccc"));
        Assert.Equal(["bbbb", "cccc"], ring.Last(10).Select(l => l.Text));
        ring.Add(Line(new string('z', 50)));
        Assert.Equal(50, Assert.Single(ring.Last(10)).Text.Length);
    }
}
