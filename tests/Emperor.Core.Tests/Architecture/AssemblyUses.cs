using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Emperor.Core.Tests.Architecture;

/// <summary>
/// What a compiled assembly uses from outside itself, read from its metadata tables (no loading, no reflection
/// over its own types): every referenced type as <c>Namespace.Type</c> (nested: <c>Outer+Inner</c>), every
/// referenced member as <c>Namespace.Type::Member</c> (a property is its accessor, <c>get_Now</c>), and the names of
/// the assemblies it references. A call, a field read, a <c>typeof</c> or a base type all leave such a reference.
/// </summary>
internal sealed class AssemblyUses
{
    private AssemblyUses(IReadOnlySet<string> types, IReadOnlySet<string> members, IReadOnlySet<string> assemblies)
    {
        Types = types;
        Members = members;
        Assemblies = assemblies;
    }

    public IReadOnlySet<string> Types { get; }

    public IReadOnlySet<string> Members { get; }

    public IReadOnlySet<string> Assemblies { get; }

    public static AssemblyUses Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeReferences)
        {
            types.Add(NameOf(reader, handle));
        }

        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(handle);
            if (OwnerOf(reader, member.Parent) is { } owner)
            {
                members.Add(owner + "::" + reader.GetString(member.Name));
            }
        }

        var assemblies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.AssemblyReferences)
        {
            assemblies.Add(reader.GetString(reader.GetAssemblyReference(handle).Name));
        }

        return new AssemblyUses(types, members, assemblies);
    }

    /// <summary>
    /// The uses that <paramref name="rules"/> forbid, one line each (the rule, then what matched it), sorted.
    /// </summary>
    public IReadOnlyList<string> Violations(IEnumerable<ForbiddenUse> rules) =>
        [.. rules.SelectMany(rule => Types.Concat(Members).Where(rule.Matches).Select(use => $"{rule.Name}: {use}")).Distinct().Order(StringComparer.Ordinal)];

    private static string NameOf(MetadataReader reader, TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        var name = reader.GetString(type.Name);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? NameOf(reader, (TypeReferenceHandle)type.ResolutionScope) + "+" + name
            : Qualified(reader.GetString(type.Namespace), name);
    }

    /// <summary>The type a member reference belongs to; generic instantiations count as their generic type.</summary>
    private static string? OwnerOf(MetadataReader reader, EntityHandle parent) => parent.Kind switch
    {
        HandleKind.TypeReference => NameOf(reader, (TypeReferenceHandle)parent),
        HandleKind.TypeSpecification => GenericTypeOf(reader, (TypeSpecificationHandle)parent),
        _ => null, // a member of a type defined in this assembly, or a vararg method definition
    };

    private static string? GenericTypeOf(MetadataReader reader, TypeSpecificationHandle handle)
    {
        // A generic instantiation's signature: GENERICINST (0x15), CLASS/VALUETYPE, then the generic type's coded token.
        var blob = reader.GetBlobReader(reader.GetTypeSpecification(handle).Signature);
        if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
        {
            return null;
        }

        _ = blob.ReadSignatureTypeCode();
        var generic = blob.ReadTypeHandle();
        return generic.Kind == HandleKind.TypeReference ? NameOf(reader, (TypeReferenceHandle)generic) : null;
    }

    private static string Qualified(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;
}
