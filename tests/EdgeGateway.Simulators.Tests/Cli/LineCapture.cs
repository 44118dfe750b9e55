using System.Text;
using System.Threading.Channels;

namespace EdgeGateway.Simulators.Tests.Cli;

/// <summary>A TextWriter that hands each complete line to the test as it is written.</summary>
internal sealed class LineCapture : TextWriter
{
    private readonly StringBuilder _current = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _all = [];

    public override Encoding Encoding => Encoding.UTF8;

    public IReadOnlyList<string> All
    {
        get
        {
            lock (_current)
            {
                return _all.ToArray();
            }
        }
    }

    public override void Write(char value)
    {
        lock (_current)
        {
            if (value == '\n')
            {
                var line = _current.ToString().TrimEnd('\r');
                _current.Clear();
                _all.Add(line);
                _lines.Writer.TryWrite(line);
            }
            else
            {
                _current.Append(value);
            }
        }
    }

    /// <summary>The next line, waiting at most the test timeout.</summary>
    public async Task<string> NextLineAsync() =>
        await _lines.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);
}
