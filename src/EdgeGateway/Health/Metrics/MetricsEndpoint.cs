using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Health.Metrics;

/// <summary>
/// A minimal HTTP/1.1 responder for <c>GET /metrics</c> (the gateway has no web server, and one scrape a
/// minute does not justify one). One connection at a time, each closed after its answer; a request that does
/// not arrive within a few seconds is dropped. While nobody scrapes, it waits in <c>accept</c>: no timer, no CPU.
/// </summary>
internal sealed class MetricsEndpoint(
    MetricsListener listener,
    IServiceProvider services,
    TimeProvider time,
    ILogger<MetricsEndpoint> logger) : BackgroundService
{
    private const int MaxRequestBytes = 8192;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The bound endpoint once listening (port 0 in the options picks a free one), for tests.</summary>
    public IPEndPoint? LocalEndpoint { get; private set; }

    /// <summary>Starts listening before the host reports started (already bound by the start-up check), so a port in use stops start-up naming the setting.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _listener = listener.Listener;
        if (_listener is not null)
        {
            LocalEndpoint = (IPEndPoint)_listener.LocalEndpoint;
            Log.Listening(logger, LocalEndpoint.ToString());
            if (!IPAddress.IsLoopback(LocalEndpoint.Address))
            {
                Log.NotLoopback(logger, LocalEndpoint.ToString());
            }
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    private TcpListener? _listener;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_listener is null)
        {
            return;
        }

        using var registration = stoppingToken.Register(_listener.Stop);
        var reporter = services.GetServices<IHostedService>().OfType<HealthReporter>().Single();
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && stoppingToken.IsCancellationRequested)
            {
                break;
            }

            using (socket)
            {
                try
                {
                    await AnswerAsync(socket, reporter, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
                {
                    Log.RequestFailed(logger, e);
                }
            }
        }
    }

    private async Task AnswerAsync(Socket socket, HealthReporter reporter, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(RequestTimeout);
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length && buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) < 0)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            length += read;
        }

        var requestLine = Encoding.ASCII.GetString(buffer, 0, Math.Max(0, buffer.AsSpan(0, length).IndexOf("\r\n"u8)));
        var parts = requestLine.Split(' ');
        var (status, body, contentType) = parts is ["GET" or "HEAD", var target, _] && (target == "/metrics" || target.StartsWith("/metrics?", StringComparison.Ordinal))
            ? ("200 OK", PrometheusText.Render(reporter.BuildReport(), time.GetUtcNow()), EdgeGateway.Contracts.Metrics.PrometheusWriter.ContentType)
            : parts is [not ("GET" or "HEAD"), _, _]
                ? ("405 Method Not Allowed", "GET /metrics only\n", "text/plain; charset=utf-8")
                : ("404 Not Found", "GET /metrics only\n", "text/plain; charset=utf-8");
        var payload = Encoding.UTF8.GetBytes(body);
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n");
        await socket.SendAsync(head, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        if (parts is not ["HEAD", ..])
        {
            await socket.SendAsync(payload, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        listener.Dispose();
        base.Dispose();
    }
}
