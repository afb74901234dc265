using Emperor.Core.Config.Expansion;

namespace Emperor.Core.Config.Loading;

/// <summary>
/// The three expansion passes of <c>uwsgi_setup</c> (spec §12.4), each over every option not yet configured, in
/// order: <c>$(NAME)</c> from the environment, <c>@(SOURCE)</c> from a file or scheme URL (one trailing CR or LF
/// dropped), <c>%(key)</c> from the first value of an option or placeholder, or the integer pipeline.
/// </summary>
internal sealed partial class ConfigSession
{
    public void ApplyPasses()
    {
        Pass('$', (name, option) =>
        {
            if (_environment.TryGetValue(name, out var value))
            {
                return value;
            }

            Warn(option.Location, ConfigDiagnosticCode.UndefinedEnvironmentVariable, ConfigMessages.UndefinedEnvironmentVariable(name, option.Key));
            return null;
        });
        Pass('@', (name, option) =>
        {
            var text = ReadSource(name, option.Location, magic: false, pairWithTerminator: false)?.Text;
            if (text is { Length: > 0 } && text[^1] is '\n' or '\r')
            {
                text = text[..^1];
            }

            return text;
        });
        Pass('%', (expression, option) =>
        {
            var result = PlaceholderPipeline.Evaluate(expression, FirstOptionValue, (note, token) =>
            {
                var (code, message) = note switch
                {
                    PlaceholderPipeline.Note.UnknownOperand => (ConfigDiagnosticCode.UnknownPipelineOperand, ConfigMessages.UnknownPipelineOperand(token, expression)),
                    PlaceholderPipeline.Note.DivisionByZero => (ConfigDiagnosticCode.DivisionByZero, ConfigMessages.DivisionByZero(expression)),
                    _ => (ConfigDiagnosticCode.ArithmeticOverflow, ConfigMessages.ArithmeticOverflow(expression)),
                };
                Warn(option.Location, code, message);
            });
            if (result is null && !expression.Contains(' ', StringComparison.Ordinal))
            {
                Warn(option.Location, ConfigDiagnosticCode.UndefinedPlaceholder, ConfigMessages.UndefinedPlaceholder(expression, option.Key));
            }

            return result;
        });
    }

    private void Pass(char symbol, Func<string, ExportedOption, string?> hook)
    {
        for (var i = 0; i < _options.Count; i++)
        {
            var option = _options[i];
            if (option.Configured || option.Value is not { } value)
            {
                continue;
            }

            var expanded = ExpansionPass.Apply(value, symbol, name => hook(name, option), _limits.MaxExpansionsPerValue, _limits.MaxValueLength, out var outcome);
            if (!ReferenceEquals(expanded, value))
            {
                option.Value = expanded;
            }

            if (outcome.HasFlag(ExpansionPass.Outcome.Runaway))
            {
                Error(option.Location, ConfigDiagnosticCode.ExpansionDoesNotTerminate, ConfigMessages.ExpansionDoesNotTerminate(symbol, option.Key, _limits.MaxExpansionsPerValue));
            }
            else if (outcome.HasFlag(ExpansionPass.Outcome.Unterminated))
            {
                Warn(option.Location, ConfigDiagnosticCode.UnterminatedPlaceholder, ConfigMessages.UnterminatedPlaceholder(symbol, option.Key));
            }
        }
    }
}
