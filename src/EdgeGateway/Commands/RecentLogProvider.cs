using System.Globalization;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Commands;

/// <summary>
/// Keeps the last <see cref="Capacity"/> log lines (Information and above) in memory for the
/// collect-diagnostics command, so an engineer gets recent logs without shell access to the vehicle.
/// Bounded and allocation-light: one string per line logged, nothing when idle.
/// </summary>
internal sealed class RecentLogProvider(TimeProvider time) : ILoggerProvider
{
    /// <summary>Lines kept.</summary>
    public const int Capacity = 2000;

    private readonly Lock _lock = new();
    private readonly string?[] _lines = new string?[Capacity];
    private long _written;

    public ILogger CreateLogger(string categoryName) => new RecentLogger(this, categoryName);

    /// <summary>The newest <paramref name="count"/> lines, oldest first.</summary>
    public IReadOnlyList<string> Tail(int count)
    {
        lock (_lock)
        {
            var available = (int)Math.Min(_written, Capacity);
            var take = Math.Clamp(count, 0, available);
            var lines = new List<string>(take);
            for (var i = _written - take; i < _written; i++)
            {
                lines.Add(_lines[i % Capacity]!);
            }

            return lines;
        }
    }

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        lock (_lock)
        {
            _lines[_written % Capacity] = line;
            _written++;
        }
    }

    private sealed class RecentLogger(RecentLogProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var at = owner.TimeNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            var text = formatter(state, exception);
            var line = exception is null
                ? $"{at} {logLevel} {category}[{eventId.Id}] {text}"
                : $"{at} {logLevel} {category}[{eventId.Id}] {text} | {exception.GetType().Name}: {exception.Message}";
            owner.Add(line);
        }
    }

    private DateTimeOffset TimeNow() => time.GetUtcNow();
}
