using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EdgeGateway.Testing;

/// <summary>
/// Writes a host's log lines to the output of the test that built it (xunit prints that output for a failed test), so a
/// failure seen once under load in CI or the soak comes with the gateway's own account of what it was doing.
/// Lines logged after the test ended are dropped.
/// </summary>
public sealed class TestOutputLoggerProvider : ILoggerProvider
{
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        if (_output is null)
        {
            return;
        }

        try
        {
            _output.WriteLine($"{_clock.Elapsed.TotalSeconds,8:F3} {level.ToString()[..4].ToLowerInvariant()} {category}: {message}{(exception is null ? string.Empty : " | " + exception.GetType().Name + ": " + exception.Message)}");
        }
        catch (InvalidOperationException)
        {
            // The test is over: there is no output to write to.
        }
    }

    private sealed class Logger(TestOutputLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Write(category, logLevel, formatter(state, exception), exception);
    }
}
