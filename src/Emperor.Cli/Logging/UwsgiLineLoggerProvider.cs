using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Emperor.Cli.Logging;

/// <summary>
/// Writes log lines to stderr the way uWSGI does (<c>Sun Nov 29 07:59:04 2026 - [emperor] ...</c>), so
/// operators' greps and log shippers keep working. Lines are queued and written by one background thread so
/// that a slow terminal or pipe never blocks the Emperor's event loop.
/// </summary>
internal sealed class UwsgiLineLoggerProvider : ILoggerProvider
{
    private readonly BlockingCollection<string> _lines = new(new ConcurrentQueue<string>(), 100_000);
    private readonly Thread _writer;
    private readonly TextWriter _output;
    private readonly LogLevel _minimum;

    public UwsgiLineLoggerProvider(TextWriter output, LogLevel minimum)
    {
        _output = output;
        _minimum = minimum;
        _writer = new Thread(Drain) { Name = "log-writer", IsBackground = true };
        _writer.Start();
    }

    public ILogger CreateLogger(string categoryName) => new LineLogger(this);

    internal void Write(string line)
    {
        if (!_lines.TryAdd(line))
        {
            // The queue is full: the consumer is stuck. Dropping a line beats blocking the supervisor.
            return;
        }
    }

    private void Drain()
    {
        foreach (var line in _lines.GetConsumingEnumerable())
        {
            _output.WriteLine(line);
            if (_lines.Count == 0)
            {
                _output.Flush();
            }
        }

        _output.Flush();
    }

    public void Dispose()
    {
        _lines.CompleteAdding();
        _writer.Join(TimeSpan.FromSeconds(5));
        _lines.Dispose();
    }

    private sealed class LineLogger(UwsgiLineLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var now = DateTime.Now;
            var stamp = now.ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture);
            var text = formatter(state, exception);
            owner.Write(exception is null ? $"{stamp} - {text}" : $"{stamp} - {text}: {exception}");
        }
    }
}
