using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Emperor.Core.Config.Loading;

/// <summary>
/// Turns the bytes of a configuration source into text. uWSGI works on raw bytes; this reader insists on UTF-8,
/// reports invalid sequences and NUL bytes as errors (decoding them as U+FFFD / keeping the NUL so the rest can
/// still be checked), and drops a leading byte order mark with a warning.
/// </summary>
internal static class ConfigDecoder
{
    private static readonly byte[] s_bom = [0xEF, 0xBB, 0xBF];

    public static string Decode(ReadOnlySpan<byte> bytes, string name, List<ConfigDiagnostic> diagnostics)
    {
        if (bytes.StartsWith(s_bom))
        {
            diagnostics.Add(new ConfigDiagnostic(new ConfigLocation(name, 1, 1), ConfigSeverity.Warning, ConfigDiagnosticCode.ByteOrderMark, ConfigMessages.ByteOrderMark));
            bytes = bytes[3..];
        }

        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            var count = bytes.Count((byte)0);
            diagnostics.Add(new ConfigDiagnostic(LocateByte(bytes, nul, name), ConfigSeverity.Error, ConfigDiagnosticCode.NulByte, ConfigMessages.NulByte(count)));
        }

        if (Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }

        var firstBad = FirstInvalid(bytes, out var invalidCount);
        diagnostics.Add(new ConfigDiagnostic(LocateByte(bytes, firstBad, name), ConfigSeverity.Error, ConfigDiagnosticCode.InvalidUtf8, ConfigMessages.InvalidUtf8(invalidCount)));
        return Encoding.UTF8.GetString(bytes);
    }

    private static int FirstInvalid(ReadOnlySpan<byte> bytes, out int count)
    {
        count = 0;
        var first = -1;
        var offset = 0;
        while (offset < bytes.Length)
        {
            var status = Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed);
            if (status != OperationStatus.Done)
            {
                count++;
                if (first < 0)
                {
                    first = offset;
                }
            }

            offset += Math.Max(consumed, 1);
        }

        return Math.Max(first, 0);
    }

    private static ConfigLocation LocateByte(ReadOnlySpan<byte> bytes, int byteOffset, string name)
    {
        var before = bytes[..byteOffset];
        var line = before.Count((byte)'\n') + 1;
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        var column = Encoding.UTF8.GetCharCount(before[lineStart..]) + 1;
        return new ConfigLocation(name, line, column);
    }
}
