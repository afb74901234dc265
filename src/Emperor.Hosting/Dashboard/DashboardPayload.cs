using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Emperor.Core.Stats;

namespace Emperor.Hosting.Dashboard;

/// <summary>
/// What the page gets each period: <c>{"stats": the stats document, "usage": {"PID": {"rss": KiB, "cpu": percent}}}</c>.
/// The stats document is the one <c>--emperor-stats</c> serves, so the page and the stats service never disagree.
/// </summary>
internal static class DashboardPayload
{
    public static async Task<byte[]> BuildAsync(Func<Task<EmperorStats>> snapshot, ProcessUsage usage)
    {
        var stats = await snapshot().WaitAsync(TimeSpan.FromSeconds(10));
        var sample = usage.Sample(stats.Vassals.Select(v => v.Pid), TimeProvider.System.GetUtcNow().UtcTicks);
        var buffer = new ArrayBufferWriter<byte>(4096 + (stats.Vassals.Count * 900));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WritePropertyName("stats");
            JsonSerializer.Serialize(json, stats, StatsJsonContext.Default.EmperorStats);
            json.WriteStartObject("usage");
            foreach (var (pid, (rss, cpu)) in sample)
            {
                json.WriteStartObject(pid.ToString(CultureInfo.InvariantCulture));
                json.WriteNumber("rss", rss);
                if (cpu is { } c)
                {
                    json.WriteNumber("cpu", c);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
