using System.Collections;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>
/// The state of a lifecycle-decision log entry: the uWSGI-phrased text for line loggers, and the fields for
/// structured ones (the shape <c>[LoggerMessage]</c> produces, with <c>{OriginalFormat}</c> last).
/// </summary>
internal sealed class DecisionLogState(VassalLogKind kind, string vassal, int pid, string? reason, string text)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    public string Text { get; } = text;

    public int Count => 5;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("Vassal", vassal),
        1 => new("Pid", pid),
        2 => new("Reason", reason),
        3 => new("Kind", kind.ToString()),
        4 => new("{OriginalFormat}", Text),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Text;
}
