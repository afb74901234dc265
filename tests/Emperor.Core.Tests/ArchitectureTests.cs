using System.Reflection;

namespace Emperor.Core.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void Core_ReferencesNoOtherProjectAssembly()
    {
        var refs = typeof(AssemblyMarker).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain(refs, n => n is not null && n.StartsWith("Emperor.", StringComparison.Ordinal));
    }

    [Fact]
    public void Hosting_DoesNotReferenceUnixAdapters()
    {
        var refs = typeof(Hosting.AssemblyMarker).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("Emperor.Unix", refs);
    }

    [Fact]
    public void Core_UsesNoOperatingSystemApis()
    {
        // The banned-API analyser enforces this at build time; this guards against the analyser being removed.
        var asm = typeof(AssemblyMarker).Assembly;
        var forbidden = new[] { "System.Diagnostics.Process", "System.Net.Sockets" };
        var refs = asm.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        Assert.DoesNotContain(refs, r => forbidden.Any(f => r.StartsWith(f, StringComparison.Ordinal)));
        _ = Assembly.GetExecutingAssembly();
    }
}
