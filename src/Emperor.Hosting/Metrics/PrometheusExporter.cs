using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Emperor.Hosting.Metrics;

/// <summary>
/// A MeterListener that keeps counter totals and, on every scrape, observes the gauges and renders the
/// Prometheus text exposition format (version 0.0.4): <c>emperor_vassal_spawns_total</c>,
/// <c>emperor_vassals{state="running"}</c>, … Names: dots become underscores; counters get <c>_total</c>.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), double> _values = new();
    private readonly ConcurrentDictionary<string, (string Type, string Help)> _meta = new();
    private readonly object _scrape = new();

    public PrometheusExporter(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != meterName)
            {
                return;
            }

            var isCounter = instrument is Counter<long> or Counter<double>;
            _meta[Name(instrument, isCounter)] = (isCounter ? "counter" : "gauge", instrument.Description ?? instrument.Name);
            listener.EnableMeasurementEvents(instrument, isCounter);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, state) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, state) => Record(i, v, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var isCounter = (bool)(instrument is Counter<long> or Counter<double>);
        var key = (Name(instrument, isCounter), Labels(tags));
        if (isCounter)
        {
            _values.AddOrUpdate(key, value, (_, old) => old + value);
        }
        else
        {
            _values[key] = value;
        }
    }

    /// <summary>Observes the gauges now and renders every series.</summary>
    public string Render()
    {
        lock (_scrape)
        {
            foreach (var key in _values.Keys.Where(k => _meta.TryGetValue(k.Name, out var m) && m.Type == "gauge").ToList())
            {
                _values.TryRemove(key, out _); // a state with no vassals any more must disappear
            }

            _listener.RecordObservableInstruments();
            var sb = new StringBuilder();
            foreach (var group in _values.GroupBy(kv => kv.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var (type, help) = _meta.GetValueOrDefault(group.Key, ("untyped", group.Key));
                sb.Append("# HELP ").Append(group.Key).Append(' ').Append(help).Append('\n');
                sb.Append("# TYPE ").Append(group.Key).Append(' ').Append(type).Append('\n');
                foreach (var kv in group.OrderBy(kv => kv.Key.Labels, StringComparer.Ordinal))
                {
                    sb.Append(group.Key).Append(kv.Key.Labels).Append(' ')
                      .Append(kv.Value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                }
            }

            return sb.ToString();
        }
    }

    private static string Name(Instrument instrument, bool counter) =>
        instrument.Name.Replace('.', '_') + (counter ? "_total" : string.Empty);

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var sb = new StringBuilder("{");
        for (var i = 0; i < tags.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(tags[i].Key).Append("=\"");
            foreach (var c in tags[i].Value?.ToString() ?? string.Empty)
            {
                _ = c switch
                {
                    '\\' => sb.Append("\\\\"),
                    '"' => sb.Append("\\\""),
                    '\n' => sb.Append("\\n"),
                    _ => sb.Append(c),
                };
            }

            sb.Append('"');
        }

        return sb.Append('}').ToString();
    }

    public void Dispose() => _listener.Dispose();
}
