namespace Emperor.Core.Protocol;

/// <summary>
/// What one sd_notify datagram says (sd_notify(3): newline-separated <c>KEY=VALUE</c> assignments). Only the keys
/// the Emperor acts on are kept; unknown keys and malformed lines are ignored, as systemd does. Like systemd, the
/// shell applies them in a fixed order whatever their order in the datagram: READY, then RELOADING/STOPPING, then
/// WATCHDOG, then STATUS. The listener has already bounded the size and checked UTF-8.
/// </summary>
internal readonly record struct NotifyMessage(bool Ready, bool NotReady, bool Watchdog, string? Status)
{
    /// <summary>The longest STATUS= text kept (stats and logs show it; systemd shows one line too).</summary>
    public const int MaxStatus = 256;

    public static NotifyMessage Parse(ReadOnlySpan<char> datagram)
    {
        bool ready = false, notReady = false, watchdog = false;
        string? status = null;
        foreach (var range in datagram.Split('\n'))
        {
            var line = datagram[range];
            var eq = line.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var key = line[..eq];
            var value = line[(eq + 1)..];
            if (key.SequenceEqual("READY") && value.SequenceEqual("1"))
            {
                ready = true;
            }
            else if ((key.SequenceEqual("RELOADING") || key.SequenceEqual("STOPPING")) && value.SequenceEqual("1"))
            {
                notReady = true;
            }
            else if (key.SequenceEqual("WATCHDOG") && value.SequenceEqual("1"))
            {
                watchdog = true;
            }
            else if (key.SequenceEqual("STATUS"))
            {
                status = (value.Length > MaxStatus ? value[..MaxStatus] : value).ToString();
            }
        }

        return new NotifyMessage(ready, notReady, watchdog, status);
    }
}
