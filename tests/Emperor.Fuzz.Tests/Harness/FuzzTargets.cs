namespace Emperor.Fuzz.Tests.Harness;

/// <summary>Every target: the non-abstract <see cref="IFuzzTarget"/> classes of the Targets namespace.</summary>
internal static class FuzzTargets
{
    private const string TargetNamespace = "Emperor.Fuzz.Tests.Targets";

    private static readonly Lazy<IReadOnlyList<IFuzzTarget>> s_all = new(Discover);

    public static IReadOnlyList<IFuzzTarget> All => s_all.Value;

    public static IFuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    private static List<IFuzzTarget> Discover() =>
    [
        .. typeof(FuzzTargets).Assembly.GetTypes()
            .Where(t => t.Namespace == TargetNamespace && !t.IsAbstract && !t.IsNested && typeof(IFuzzTarget).IsAssignableFrom(t))
            .Select(t => (IFuzzTarget)Activator.CreateInstance(t)!)
            .OrderBy(t => t.Name, StringComparer.Ordinal),
    ];
}
