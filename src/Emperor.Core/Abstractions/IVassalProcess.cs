namespace Emperor.Core.Abstractions;

/// <summary>A started vassal process.</summary>
internal interface IVassalProcess : IDisposable
{
    int Pid { get; }

    IVassalLink Link { get; }

    /// <summary>Signals the vassal's whole process group (it leads its own session). False if it is already gone.</summary>
    bool SignalGroup(int signal);
}
