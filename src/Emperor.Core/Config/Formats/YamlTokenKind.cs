namespace Emperor.Core.Config.Formats;

/// <summary>The token kinds of libyaml's scanner that uWSGI's YAML reader reacts to.</summary>
internal enum YamlTokenKind
{
    StreamStart,
    StreamEnd,
    Directive,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    Tag,
    Scalar,
}
