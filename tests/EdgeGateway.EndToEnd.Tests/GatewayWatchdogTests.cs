using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// The systemd watchdog with a real gateway process: the test plays systemd's part of the sd_notify
/// protocol (a unix datagram socket in <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> in the environment) and
/// applies its rule: no <c>WATCHDOG=1</c> within <c>WatchdogSec</c> means hung, kill and restart.
/// </summary>
public sealed class GatewayWatchdogTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    // Generous for a loaded 2-core machine: pings every 2 s, a stuck step counts after 2 s.
    private static readonly TimeSpan WatchdogSec = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Gateway_DrainWedged_StopsWatchdogPings_RestartedItDrainsAgain()
    {
        using var socketDirectory = new TempDirectory();
        var socketPath = Path.Combine(socketDirectory.Path, "notify");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        var messages = Channel.CreateUnbounded<string>();
        using var stopReading = new CancellationTokenSource();
        var reader = ReadNotificationsAsync(notify, messages.Writer, stopReading.Token);

        await using var system = await SystemUnderTest.StartAsync();
        var (gateway, _) = await system.StartVehicleAsync("car-watchdog", settings: new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = socketPath,
            ["WATCHDOG_USEC"] = ((long)WatchdogSec.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Watchdog:MaxBusy"] = "00:00:02",
            ["DOTNET_ENVIRONMENT"] = "Development", // fault injection is honoured there only
            ["EDGEGATEWAY_FAULT"] = "hang-drain",
        });

        // Alive at first: the watchdog pings while the drain has not yet wedged.
        await WaitForPingAsync(messages.Reader, Patience);

        // systemd's rule: a silence longer than WatchdogSec is a hung service.
        await WaitForSilenceAsync(messages.Reader, Patience);
        Assert.False(gateway.Process.HasExited, "the process is alive; only its drain loop is stuck");
        await gateway.Process.WaitForOutputAsync(
            line => line.Contains("the drain loop has been in one step", StringComparison.Ordinal), Patience, TestContext.Current.CancellationToken);
        Assert.Empty(await system.PositionsAsync("car-watchdog", TestContext.Current.CancellationToken));

        // systemd kills and restarts the unit (here without the fault, as after a fixed release).
        await gateway.KillAsync();
        gateway.SetEnvironment("EDGEGATEWAY_FAULT", null);
        gateway.Start();

        await WaitForPingAsync(messages.Reader, Patience);
        await Eventually.WaitAsync(
            ct => system.PositionsAsync("car-watchdog", ct), p => p.Count >= 5, Patience, "positions are stored after the restart");

        await stopReading.CancelAsync();
        await reader.WaitAsync(Patience, TestContext.Current.CancellationToken);
    }

    private static async Task ReadNotificationsAsync(Socket socket, ChannelWriter<string> writer, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                foreach (var line in Encoding.UTF8.GetString(buffer, 0, received).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    writer.TryWrite(line);
                }
            }
        }
        catch (OperationCanceledException)
        {
            writer.TryComplete();
        }
    }

    private static async Task WaitForPingAsync(ChannelReader<string> reader, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        while (await reader.ReadAsync(deadline.Token) != "WATCHDOG=1")
        {
        }
    }

    /// <summary>Returns once no WATCHDOG=1 arrived for <see cref="WatchdogSec"/>: what systemd acts on.</summary>
    private static async Task WaitForSilenceAsync(ChannelReader<string> reader, TimeSpan timeout)
    {
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        overall.CancelAfter(timeout);
        while (true)
        {
            using var window = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
            window.CancelAfter(WatchdogSec);
            try
            {
                while (await reader.ReadAsync(window.Token) != "WATCHDOG=1")
                {
                }
            }
            catch (OperationCanceledException) when (!overall.IsCancellationRequested)
            {
                return; // silence for a whole WatchdogSec
            }
        }
    }
}
