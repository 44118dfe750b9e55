using System.Globalization;
using System.IO.Ports;
using System.Text;
using EdgeGateway.Transport;

namespace EdgeGateway.Tests.Transport;

/// <summary><see cref="TtyStream"/> on a real pty pair (socat): waits for input without polling, writes, and lets go on dispose and hang-up.</summary>
public sealed class TtyStreamTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("tty-stream-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ReadAsync_WaitsForInput_WithoutWakingPerMillisecond()
    {
        var link = Path.Combine(_directory, "gps");
        await using var pty = await SocatPty.StartAsync(link, Timeout);
        using var port = OpenPort(link);
        await using var stream = TtyStream.Open(link);
        var thread = ThreadNamed("tty gps");
        var before = ContextSwitches(thread);

        var buffer = new byte[256];
        var received = new StringBuilder();
        for (var i = 0; i < 3; i++)
        {
            var pending = stream.ReadAsync(buffer, TestContext.Current.CancellationToken).AsTask();
            Assert.False(pending.IsCompleted); // nothing was written yet: the read waits
            await pty.WriteAsync($"$GPTXT,{i}\r\n");
            var count = await pending.WaitAsync(Timeout, TestContext.Current.CancellationToken);
            received.Append(Encoding.ASCII.GetString(buffer, 0, count));
        }

        Assert.Contains("$GPTXT,2", received.ToString(), StringComparison.Ordinal);

        // Three reads, each woken by its input: a few switches each. A reader that polled the device every
        // millisecond (System.IO.Ports on Linux) would be woken hundreds of times in the same span.
        Assert.InRange(ContextSwitches(thread) - before, 0, 30);
    }

    [Fact]
    public async Task Write_GoesOut_AndReadingCarriesOn()
    {
        var link = Path.Combine(_directory, "modem");
        await using var pty = await SocatPty.StartAsync(link, Timeout);
        using var port = OpenPort(link);
        await using var stream = TtyStream.Open(link);

        // A command goes out to the pty master without error, and the reply still comes in on the same stream.
        await stream.WriteAsync("AT+CSQ\r"u8.ToArray(), TestContext.Current.CancellationToken);
        await pty.WriteAsync("OK\r\n");
        var buffer = new byte[16];
        var count = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.True(count > 0);
    }

    [Fact]
    public async Task Dispose_ReleasesAPendingRead()
    {
        var link = Path.Combine(_directory, "gps");
        await using var pty = await SocatPty.StartAsync(link, Timeout);
        using var port = OpenPort(link);
        var stream = TtyStream.Open(link);
        var pending = stream.ReadAsync(new byte[16], TestContext.Current.CancellationToken).AsTask();

        await stream.DisposeAsync();

        Assert.Equal(0, await pending.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task HangUp_FailsThePendingRead()
    {
        var link = Path.Combine(_directory, "gps");
        var pty = await SocatPty.StartAsync(link, Timeout);
        using var port = OpenPort(link);
        await using var stream = TtyStream.Open(link);
        var pending = stream.ReadAsync(new byte[16], TestContext.Current.CancellationToken).AsTask();

        await pty.KillAsync();
        await pty.DisposeAsync();

        // The device is gone: either end of stream or an I/O error, never a read that waits for ever.
        try
        {
            Assert.Equal(0, await pending.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Open_NoSuchDevice_ThrowsIOExceptionNamingIt()
    {
        var missing = Path.Combine(_directory, "missing");

        var error = Assert.Throws<IOException>(() => TtyStream.Open(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    private static SerialPort OpenPort(string link)
    {
        var port = new SerialPort(link, 9600);
        port.Open();
        return port;
    }

    private static string ThreadNamed(string name)
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (File.ReadAllText(Path.Combine(task, "comm")).Trim() == name)
            {
                return task;
            }
        }

        throw new InvalidOperationException($"no thread named {name}");
    }

    private static long ContextSwitches(string task) =>
        File.ReadLines(Path.Combine(task, "status"))
            .Where(l => l.Contains("ctxt_switches:", StringComparison.Ordinal))
            .Sum(l => long.Parse(l.AsSpan(l.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture));
}
