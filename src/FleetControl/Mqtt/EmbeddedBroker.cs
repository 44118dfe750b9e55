using System.Net;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace FleetControl.Mqtt;

/// <summary>
/// The embedded MQTTnet broker (<c>Mqtt:Mode = Embedded</c>, the default). Registered before the
/// ingest client so it is listening when the client connects, and stopped after it.
/// Enforces <see cref="BrokerAcl"/>.
/// </summary>
internal sealed class EmbeddedBroker(
    IngestClientIdentity identity,
    IOptions<MqttOptions> options,
    ILogger<EmbeddedBroker> logger) : IHostedService, IDisposable
{
    private readonly MqttOptions _options = options.Value;
    private MqttServer? _server;

    /// <summary>Publishes refused by the ACL since start-up.</summary>
    public long RefusedPublishes => Interlocked.Read(ref _refusedPublishes);

    private long _refusedPublishes;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bind = IPAddress.Parse(_options.BindAddress);
        var builder = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(_options.Port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(_options.MaxPendingMessagesPerClient);
        builder = bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? builder.WithDefaultEndpointBoundIPV6Address(bind).WithDefaultEndpointBoundIPAddress(IPAddress.None)
            : builder.WithDefaultEndpointBoundIPAddress(bind).WithDefaultEndpointBoundIPV6Address(IPAddress.None);

        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
        _server.ValidatingConnectionAsync += OnValidatingConnectionAsync;
        _server.InterceptingPublishAsync += OnInterceptingPublishAsync;
        _server.InterceptingSubscriptionAsync += OnInterceptingSubscriptionAsync;
        await _server.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        Log.BrokerStarted(logger, _options.BindAddress, _options.Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            Log.BrokerStopped(logger);
        }
    }

    public void Dispose() => _server?.Dispose();

    private Task OnValidatingConnectionAsync(ValidatingConnectionEventArgs e)
    {
        if (!BrokerAcl.MayConnect(e.ClientId, e.Password, _options.ClientId, identity.Password))
        {
            e.ReasonCode = string.Equals(e.ClientId, _options.ClientId, StringComparison.Ordinal)
                ? MqttConnectReasonCode.NotAuthorized
                : MqttConnectReasonCode.ClientIdentifierNotValid;
            Log.ConnectionRefused(logger, e.ClientId, e.ReasonCode.ToString());
        }

        return Task.CompletedTask;
    }

    private Task OnInterceptingPublishAsync(InterceptingPublishEventArgs e)
    {
        if (!BrokerAcl.MayPublish(e.ClientId, e.ApplicationMessage.Topic, _options.ClientId))
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            Interlocked.Increment(ref _refusedPublishes);
            Log.PublishRefused(logger, e.ClientId, e.ApplicationMessage.Topic);
        }

        return Task.CompletedTask;
    }

    private Task OnInterceptingSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        if (!BrokerAcl.MaySubscribe(e.ClientId, e.TopicFilter.Topic, _options.ClientId))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            Log.SubscriptionRefused(logger, e.ClientId, e.TopicFilter.Topic);
        }

        return Task.CompletedTask;
    }
}
