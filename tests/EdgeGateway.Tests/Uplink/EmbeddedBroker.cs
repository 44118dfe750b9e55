using System.Collections.Concurrent;
using System.Net;
using MQTTnet;
using MQTTnet.Server;

namespace EdgeGateway.Tests.Uplink;

/// <summary>
/// A real MQTTnet broker on 127.0.0.1 and a free port. Stop and start it again on the same port to
/// simulate a broker outage; every publish it receives is recorded with the client id and a timestamp.
/// </summary>
internal sealed class EmbeddedBroker : IAsyncDisposable
{
    private MqttServer? _server;

    private EmbeddedBroker(int port) => Port = port;

    public int Port { get; }

    public MqttServer Server => _server ?? throw new InvalidOperationException("The broker is stopped.");

    /// <summary>Publishes received: client id, message, <see cref="TimeProvider.GetTimestamp"/> of arrival.</summary>
    public ConcurrentQueue<(string ClientId, MqttApplicationMessage Message, long At)> Publishes { get; } = new();

    public event Action<string, MqttApplicationMessage, long>? Published;

    public static async Task<EmbeddedBroker> StartAsync(int? port = null)
    {
        var broker = new EmbeddedBroker(port ?? FreePort.Next());
        await broker.StartAgainAsync();
        return broker;
    }

    public async Task StartAgainAsync()
    {
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(Port)
            .WithDefaultEndpointReuseAddress()
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(1_000_000)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        server.InterceptingPublishAsync += args =>
        {
            var at = TimeProvider.System.GetTimestamp();
            Publishes.Enqueue((args.ClientId, args.ApplicationMessage, at));
            Published?.Invoke(args.ClientId, args.ApplicationMessage, at);
            return Task.CompletedTask;
        };
        await server.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _server = server;
    }

    public async Task StopAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.StopAsync(new MqttServerStopOptions()).WaitAsync(TimeSpan.FromSeconds(10));
            server.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
