using System.Xml;

namespace Emperor.Core.Config.Formats;

/// <summary>
/// uWSGI's XML configuration, libxml2 flavour (core/xmlconf.c): the root <c>&lt;uwsgi&gt;</c>, or else the first
/// <c>&lt;uwsgi&gt;</c> child of the root (with an id: the first whose id matches or that has none); each child
/// element is an option named like the element with the content of its first child node as value (an empty
/// element means "1"); children whose <c>id</c> differs from the requested id are skipped; a CDATA child becomes
/// <c>eval</c>; <c>&lt;app&gt;</c> becomes <c>mount</c> + <c>app</c>. Parsed with DTDs prohibited and a depth
/// limit; a malformed document yields no options, as libxml2's NULL document makes uWSGI exit.
/// </summary>
internal static class XmlConfigReader
{
    public static ConfigParseResult Read(string text, string sourceName, string? id = null, int maxDepth = 64) =>
        Read(ConfigText.Plain(text, sourceName), id, maxDepth);

    public static ConfigParseResult Read(ConfigText source, string? id, int maxDepth)
    {
        var diagnostics = new List<ConfigDiagnostic>();
        var entries = new List<ConfigEntry>();
        if (id is { Length: 0 })
        {
            diagnostics.Add(new ConfigDiagnostic(new ConfigLocation(source.Name, 1, 1), ConfigSeverity.Error, ConfigDiagnosticCode.XmlEmptyId, ConfigMessages.XmlEmptyId));
            return new ConfigParseResult(entries, diagnostics);
        }

        var root = Parse(source, maxDepth, diagnostics);
        if (root is null)
        {
            return new ConfigParseResult(entries, diagnostics);
        }

        var element = root;
        if (!string.Equals(root.Name, "uwsgi", StringComparison.Ordinal))
        {
            element = null;
            foreach (var child in root.Children)
            {
                if (child.Kind == XmlNodeType.Element && string.Equals(child.Name, "uwsgi", StringComparison.Ordinal))
                {
                    var childId = child.Attribute("id");
                    if (id is not null && childId is not null && !string.Equals(id, childId, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    element = child;
                    break;
                }
            }

            if (element is null)
            {
                diagnostics.Add(new ConfigDiagnostic(source.GetLocation(root.Offset), ConfigSeverity.Error, ConfigDiagnosticCode.XmlNoUwsgiElement, ConfigMessages.XmlNoUwsgiElement(id ?? string.Empty)));
                return new ConfigParseResult(entries, diagnostics);
            }
        }

        foreach (var node in element.Children)
        {
            var nodeId = node.Attribute("id");
            if (id is not null && nodeId is not null && !string.Equals(id, nodeId, StringComparison.Ordinal))
            {
                continue;
            }

            var location = source.GetLocation(node.Offset);
            if (node.Kind == XmlNodeType.CDATA)
            {
                entries.Add(new ConfigEntry("eval", node.Value ?? string.Empty, location));
            }
            else if (node.Kind == XmlNodeType.Element)
            {
                if (string.Equals(node.Name, "app", StringComparison.Ordinal))
                {
                    AddApp(node, location, entries);
                }
                else if (node.Children.Count == 0)
                {
                    entries.Add(new ConfigEntry(node.Name, "1", location));
                }
                else if (node.Children[0].Value is { } value)
                {
                    entries.Add(new ConfigEntry(node.Name, value, location));
                }
                else
                {
                    diagnostics.Add(new ConfigDiagnostic(source.GetLocation(node.Children[0].Offset), ConfigSeverity.Error, ConfigDiagnosticCode.XmlElementValue, ConfigMessages.XmlElementValue(node.Name)));
                }
            }
        }

        return new ConfigParseResult(entries, diagnostics);
    }

    private static void AddApp(XmlLiteNode node, ConfigLocation location, List<ConfigEntry> entries)
    {
        var mountpoint = node.Attribute("mountpoint");
        var domain = node.Attribute("domain");
        string? script = null;
        if (node.Children.Count == 0)
        {
            entries.Add(new ConfigEntry("app", string.Empty, location));
            return;
        }

        if (node.Children[0].Value is not null && node.Children.Count == 1)
        {
            script = node.Children[0].Value;
        }
        else if (node.Children.Count > 1 && node.Children[1].Children.Count > 0 && node.Children[1].Children[0].Value is { } inner)
        {
            script = inner;
        }

        if (script is null)
        {
            return;
        }

        if (mountpoint is not null)
        {
            script = mountpoint + "=" + script;
        }
        else if (domain is not null)
        {
            script = domain + "|=" + script;
        }

        entries.Add(new ConfigEntry("mount", script, location));
        entries.Add(new ConfigEntry("app", string.Empty, location));
    }

    private static XmlLiteNode? Parse(ConfigText source, int maxDepth, List<ConfigDiagnostic> diagnostics)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = 1024,
            IgnoreComments = false,
            IgnoreWhitespace = false,
            IgnoreProcessingInstructions = false,
            CloseInput = true,
        };
        XmlLiteNode? root = null;
        var stack = new Stack<XmlLiteNode>();
        using var stringReader = new StringReader(source.Text);
        using var reader = XmlReader.Create(stringReader, settings);
        var info = (IXmlLineInfo)reader;
        try
        {
            while (reader.Read())
            {
                var offset = source.GetOffset(info.LineNumber, info.LinePosition);
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        {
                            if (stack.Count >= maxDepth)
                            {
                                diagnostics.Add(new ConfigDiagnostic(source.GetLocation(offset), ConfigSeverity.Error, ConfigDiagnosticCode.XmlTooDeep, ConfigMessages.TooDeep("XML", maxDepth)));
                                return null;
                            }

                            var element = new XmlLiteNode(XmlNodeType.Element, reader.LocalName, null, Math.Max(offset - 1, 0));
                            if (reader.HasAttributes)
                            {
                                while (reader.MoveToNextAttribute())
                                {
                                    if (reader.NamespaceURI.Length == 0)
                                    {
                                        element.AddAttribute(reader.LocalName, reader.Value);
                                    }
                                }

                                reader.MoveToElement();
                            }

                            if (stack.TryPeek(out var parent))
                            {
                                parent.Children.Add(element);
                            }
                            else
                            {
                                root = element;
                            }

                            if (!reader.IsEmptyElement)
                            {
                                stack.Push(element);
                            }

                            break;
                        }

                    case XmlNodeType.EndElement:
                        stack.Pop();
                        break;
                    case XmlNodeType.Text:
                    case XmlNodeType.Whitespace:
                    case XmlNodeType.SignificantWhitespace:
                    case XmlNodeType.CDATA:
                    case XmlNodeType.Comment:
                    case XmlNodeType.ProcessingInstruction:
                        if (stack.TryPeek(out var owner))
                        {
                            var kind = reader.NodeType is XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace ? XmlNodeType.Text : reader.NodeType;
                            owner.Children.Add(new XmlLiteNode(kind, reader.Name, reader.Value, offset));
                        }

                        break;
                    default:
                        break;
                }
            }
        }
        catch (XmlException ex)
        {
            var offset = source.GetOffset(ex.LineNumber, ex.LinePosition);
            var dtd = ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase);
            diagnostics.Add(new ConfigDiagnostic(source.GetLocation(offset), ConfigSeverity.Error, ConfigDiagnosticCode.XmlSyntax, dtd ? ConfigMessages.XmlDtd : ConfigMessages.XmlSyntax(StripPosition(ex.Message))));
            return null;
        }

        if (root is null)
        {
            diagnostics.Add(new ConfigDiagnostic(new ConfigLocation(source.Name, 1, 1), ConfigSeverity.Error, ConfigDiagnosticCode.XmlSyntax, ConfigMessages.XmlSyntax("the document has no root element")));
        }

        return root;
    }

    /// <summary>XmlException messages end in "Line N, position M."; the diagnostic has its own location.</summary>
    private static string StripPosition(string message)
    {
        var index = message.LastIndexOf(" Line ", StringComparison.Ordinal);
        return (index > 0 ? message[..index] : message).TrimEnd('.', ' ');
    }
}
