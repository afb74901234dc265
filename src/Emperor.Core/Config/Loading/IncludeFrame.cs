namespace Emperor.Core.Config.Loading;

/// <summary>
/// One file in the chain of files loading files. uWSGI has no cycle detection (a file including itself recurses
/// until the stack overflows; an inherit cycle loops forever), so each option remembers the file it came from and
/// a load whose (file, section) is already in its chain is refused with the chain in the message.
/// </summary>
internal sealed record IncludeFrame(string Identity, string Display, IncludeFrame? Parent)
{
    public int Depth { get; } = (Parent?.Depth ?? 0) + 1;

    public bool Contains(string identity)
    {
        for (var frame = this; frame is not null; frame = frame.Parent)
        {
            if (string.Equals(frame.Identity, identity, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"a.ini → b.ini → " from the outermost file inwards.</summary>
    public string Describe()
    {
        var names = new List<string>();
        for (var frame = this; frame is not null; frame = frame.Parent)
        {
            names.Add(frame.Display);
        }

        names.Reverse();
        return string.Join(" → ", names);
    }
}
