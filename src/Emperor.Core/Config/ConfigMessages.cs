namespace Emperor.Core.Config;

/// <summary>
/// Every user-facing sentence of the configuration language, in one place (house style §8.12). Each says what is
/// wrong and what to do about it; where uWSGI behaves surprisingly the sentence says what uWSGI does.
/// </summary>
internal static class ConfigMessages
{
    public static string InvalidUtf8(int count) =>
        $"the file is not valid UTF-8 ({count} invalid byte sequence(s), the first here); it looks like binary data or another encoding: save it as UTF-8";

    public static string NulByte(int count) =>
        $"the file contains {count} NUL byte(s), the first here; uWSGI cuts lines at NUL, so this is probably binary data: remove the NUL bytes";

    public const string ByteOrderMark =
        "the file starts with a UTF-8 byte order mark; it is ignored here, but uWSGI reads it as part of the first line (an INI section header is then missed): save the file without BOM";

    public static string FileTooLarge(string name, long size, int limit) =>
        $"'{name}' is {size} bytes, larger than the {limit}-byte limit for configuration sources; nothing was read from it: split it or check that it is the right file";

    public static string CannotRead(string name, string reason) =>
        $"cannot read configuration '{name}': {reason}; check the path (relative paths are relative to the working directory)";

    public static string UnsupportedScheme(string name, string scheme) =>
        $"'{name}': the {scheme}:// scheme is not supported here; use a plain file, exec:// or emperor://";

    public static string NotAVassal(string name, string reason) =>
        $"'{name}': {reason} (uWSGI: \"this is not a vassal instance\"); emperor:// configs exist only in vassals started by an Emperor that pushes their config";

    public static string MissingSection(string section, string file) =>
        $"section [{section}] not found in '{file}' (uWSGI only warns \"Can't find section\"): add it or name an existing section with FILE:SECTION";

    public static string IniSectionHeader(string line) =>
        $"section header '{line}' does not end with ']'; uWSGI drops its last character anyway: close it with ']'";

    public const string IniEmptyKey =
        "this line has no option name before '='; uWSGI adds an option with an empty name: write NAME = VALUE";

    public static string XmlSyntax(string detail) =>
        $"malformed XML, nothing was read from this file: {detail}";

    public const string XmlDtd =
        "XML document type declarations (<!DOCTYPE>) and entities are not allowed in configuration files; remove the <!DOCTYPE ...> part";

    public static string XmlNoUwsgiElement(string id) =>
        id.Length == 0
            ? "no <uwsgi> element: the root must be <uwsgi> or contain one (uWSGI: \"invalid xml root element, <uwsgi> expected\")"
            : $"no <uwsgi id=\"{id}\"> element (nor one without id): add it, or fix the id after the colon";

    public const string XmlEmptyId =
        "empty XML id after ':' (uWSGI: \"invalid xml id\"): write FILE.xml:ID or drop the colon";

    public static string XmlElementValue(string name) =>
        $"<{name}> has a child element where its text value should be; uWSGI crashes on this: put the value as plain text";

    public static string TooDeep(string format, int limit) =>
        $"{format} nesting deeper than {limit} levels; nothing more was read: flatten the document";

    public static string JsonSyntax(string detail) =>
        $"malformed JSON, nothing was read from this file: {detail}";

    public static string JsonNoSection(string section) =>
        $"no object named \"{section}\" at the top level (uWSGI: \"you must define a object named {section} in your JSON data\"): wrap the options in {{\"{section}\": {{...}}}}";

    public static string JsonNotObject(string section) =>
        $"\"{section}\" must be a JSON object of options (uWSGI exits): write \"{section}\": {{\"option\": \"value\"}}";

    public static string JsonNulInString(string key) =>
        $"the value of \"{key}\" contains \\u0000; uWSGI cuts the value there, and so does this reader: remove it";

    public static string YamlSyntax(string detail) =>
        $"malformed YAML: {detail}; uWSGI stops with \"error parsing YAML file\"";

    public static string YamlUnsupportedToken(string token) =>
        $"YAML {token} are not supported inside the options section; uWSGI stops reading the file here (\"unsupported YAML token\"): write plain key: value pairs";

    public static string IncludeCycle(string chain) =>
        $"configuration files include each other in a cycle: {chain}; uWSGI would recurse until it crashes: remove one of the includes";

    public static string IncludeTooDeep(int limit, string chain) =>
        $"configuration files are nested more than {limit} deep ({chain}); remove a level of inclusion";

    public static string UnknownFormat(string name) =>
        $"unable to load configuration from '{name}' (uWSGI's words): its name does not end in .ini, .xml, .yaml, .yml, .json or .js; use --ini/--xml/--yaml/--json to choose the format";

    public const string NoPreviousIniFile =
        "':SECTION' without a file name re-reads the last INI file, but no INI file was loaded before; write FILE.ini:SECTION";

    public static string InvalidSet(string option) =>
        $"'{option}' needs NAME=VALUE (uWSGI: \"invalid placeholder/--set value\"): add the '='";

    public static string PlaceholderIsOption(string name) =>
        $"you cannot use '{name}' as a placeholder, it is already a uWSGI option (uWSGI exits): pick another name or use 'set'";

    public static string RecursiveLogic(string option, string outer) =>
        $"'{option}' inside the '{outer}' block: nested logic blocks are not supported by uWSGI (it exits); close the first block with 'end' before opening another";

    public static string UnterminatedBlock(string option) =>
        $"the '{option}' block is never closed, so it swallows every following option (also command-line ones); add 'endif'/'endfor'/'end'";

    public static string UnterminatedPlaceholder(char symbol, string key) =>
        $"unterminated '{symbol}(' in the value of '{key}'; it is kept as literal text: add the closing ')'";

    public static string UndefinedPlaceholder(string name, string key) =>
        $"%({name}) in the value of '{key}' names no option or placeholder; it is kept as is: define it (set-placeholder = {name}=...) or fix the name";

    public static string UndefinedEnvironmentVariable(string name, string key) =>
        $"$({name}) in the value of '{key}': environment variable {name} is not set; it is kept as is";

    public static string UnknownPipelineOperand(string token, string expression) =>
        $"'{token}' in %({expression}) is neither a number nor a defined option; uWSGI uses an empty string for it";

    public static string DivisionByZero(string expression) =>
        $"division by zero in %({expression}); uWSGI yields 0, and so does this reader";

    public static string ArithmeticOverflow(string expression) =>
        $"integer overflow in %({expression}); the result wraps around as in uWSGI";

    public static string ExpansionDoesNotTerminate(char symbol, string key, int limit) =>
        $"expanding '{symbol}(...)' in the value of '{key}' does not terminate (it refers to itself?); stopped after {limit} substitutions: break the cycle";

    public static string CommandFailed(string command, string reason) =>
        $"command '{command}' failed: {reason}";

    public static string CommandExitStatus(string command, int status) =>
        $"command '{command}' exited with status {status}; its output is used anyway, as uWSGI does";

    public static string TooManyOptions(int limit) =>
        $"more than {limit} options; the rest were dropped: check for runaway for/for-times loops";

    public static string LogicFileUnreadable(string option, string file, string reason) =>
        $"'{option}': cannot read '{file}': {reason}; the block adds nothing (uWSGI logs the error and goes on)";

    public static string GlobFailed(string pattern) =>
        $"'for-glob': glob of '{pattern}' failed; the block adds nothing";

    public static string StrictUnknownOption(string name) =>
        $"strict mode: '{name}' is not a uWSGI option (uWSGI: \"[strict-mode] unknown config directive\"): fix the name or drop 'strict'";

    public static string PercentBeforeNonAscii(char c) =>
        $"'%' before the non-ASCII character '{c}': uWSGI drops the '%' and the first byte of the character, this reader drops the whole character; write '%%' for a literal percent sign";

    public static string InvalidRegex(string pattern, string reason) =>
        $"invalid regular expression '{pattern}': {reason}";

    public static string UnrecognizedOption(string arg) =>
        $"unrecognized option '{arg}' (uWSGI exits with \"getopt_long() error\"); see --help for the option names";

    public static string AmbiguousOption(string arg, string candidates) =>
        $"option '{arg}' is ambiguous; possibilities: {candidates}";

    public static string OptionNeedsArgument(string arg) =>
        $"option '{arg}' requires an argument";

    public static string OptionTakesNoArgument(string arg) =>
        $"option '{arg}' doesn't allow an argument";
}
