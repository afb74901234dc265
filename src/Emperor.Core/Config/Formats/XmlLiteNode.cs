using System.Xml;

namespace Emperor.Core.Config.Formats;

/// <summary>The little of libxml2's tree that core/xmlconf.c looks at: kind, name, content, a few attributes, children.</summary>
internal sealed class XmlLiteNode(XmlNodeType kind, string name, string? value, int offset)
{
    private List<KeyValuePair<string, string>>? _attributes;

    public XmlNodeType Kind { get; } = kind;

    public string Name { get; } = name;

    /// <summary>libxml2's <c>node-&gt;content</c>: text, CDATA, comment and PI nodes have one, elements do not.</summary>
    public string? Value { get; } = value;

    public int Offset { get; } = offset;

    public List<XmlLiteNode> Children { get; } = [];

    public void AddAttribute(string attributeName, string attributeValue) =>
        (_attributes ??= []).Add(new KeyValuePair<string, string>(attributeName, attributeValue));

    /// <summary>xmlGetProp: the value of the attribute, or <see langword="null"/>.</summary>
    public string? Attribute(string attributeName)
    {
        if (_attributes is null)
        {
            return null;
        }

        foreach (var pair in _attributes)
        {
            if (string.Equals(pair.Key, attributeName, StringComparison.Ordinal))
            {
                return pair.Value;
            }
        }

        return null;
    }
}
