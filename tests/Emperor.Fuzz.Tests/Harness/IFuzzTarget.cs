namespace Emperor.Fuzz.Tests.Harness;

/// <summary>
/// One parser under fuzzing. A target turns raw bytes into a call of the parser, checks the parser's contract on
/// the result and returns a canonical rendering of it. Throwing anything means the input broke the contract: an
/// exception of the parser itself, or <see cref="FuzzInvariantException"/> from a check. Adding a target is one
/// class in Targets/ with a parameterless constructor: the registry finds it by reflection.
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>Short name: the test case, the corpus folder (Corpus/NAME) and the AFL host's argument.</summary>
    string Name { get; }

    /// <summary>Hand-made seeds (small, nasty ones included).</summary>
    IEnumerable<byte[]> Seeds { get; }

    /// <summary>Tokens the mutator splices in; the first few are also used as openers for deep nesting.</summary>
    IReadOnlyList<string> Dictionary { get; }

    /// <summary>Whether a file of the repository (examples/vassals, the integration config corpus) is a useful seed.</summary>
    bool UsesRepositoryFile(string path);

    /// <summary>Runs the parser on <paramref name="input"/>; returns a rendering of its result (same input, same
    /// rendering: the campaign checks that).</summary>
    string Run(byte[] input);
}
