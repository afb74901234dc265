using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Emperor.Core.Logs;

/// <summary>
/// How a captured line is written: as text (the line itself, or <c>[NAME] line</c> on the Emperor's own stream, where
/// every vassal shares one river) or as one JSON object (<c>time</c>, <c>vassal</c>, <c>pid</c>, <c>stream</c>,
/// <c>line</c>). Each result ends with a newline.
/// </summary>
internal static class LogLineFormatter
{
    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One writer per thread, reset for each line (a flood is a million lines).</summary>
    [ThreadStatic]
    private static Utf8JsonWriter? s_threadWriter;

    public static void Write(IBufferWriter<byte> output, VassalLogLine line, LogFormat format, bool prefixName)
    {
        if (format == LogFormat.Json)
        {
            WriteJson(output, line);
            return;
        }

        if (prefixName)
        {
            Utf8(output, "[");
            Utf8(output, line.Vassal);
            Utf8(output, "] ");
        }

        Utf8(output, line.Text);
        Utf8(output, "\n");
    }

    public static void WriteJson(IBufferWriter<byte> output, VassalLogLine line)
    {
        var json = s_threadWriter;
        if (json is null)
        {
            s_threadWriter = json = new Utf8JsonWriter(output, s_json);
        }
        else
        {
            json.Reset(output);
        }

        Span<char> time = stackalloc char[24];
        line.Time.UtcDateTime.TryFormat(time, out var used, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        json.WriteStartObject();
        json.WriteString("time", time[..used]);
        json.WriteString("vassal", line.Vassal);
        json.WriteNumber("pid", line.Pid);
        json.WriteString("stream", line.Stream == VassalStream.Stdout ? "stdout" : "stderr");
        json.WriteString("line", line.Text);
        json.WriteEndObject();
        json.Flush();
        json.Reset(Stream.Null); // do not keep the caller's buffer alive

        Utf8(output, "\n");
    }

    /// <summary>Reads back one <see cref="WriteJson"/> line (<c>emperor logs</c>); null if it is not one.</summary>
    public static VassalLogLine? ParseJson(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("vassal", out var vassal) || vassal.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("line", out var line) || line.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var time = root.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : DateTimeOffset.UnixEpoch;
            var pid = root.TryGetProperty("pid", out var p) && p.TryGetInt32(out var pidValue) ? pidValue : 0;
            var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() == "stderr"
                ? VassalStream.Stderr
                : VassalStream.Stdout;
            return new VassalLogLine(time, vassal.GetString()!, pid, stream, line.GetString()!);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Utf8(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
