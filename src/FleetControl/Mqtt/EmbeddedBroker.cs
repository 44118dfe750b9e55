using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FleetControl.Identity;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace FleetControl.Mqtt;

/// <summary>
/// The embedded MQTTnet broker (<c>Mqtt:Mode = Embedded</c>, the default). Registered before the
/// ingest client so it is listening when the client connects, and stopped after it.
/// Enforces <see cref="BrokerAcl"/>. With TLS on (the default) it listens only for TLS 1.2+, requires a
/// client certificate from the device CA, takes the device id from the certificate (the client id must
/// equal it) and disconnects a device the moment it is revoked.
/// </summary>
internal sealed class EmbeddedBroker(
    IngestClientIdentity identity,
    IOptions<MqttOptions> options,
    TransportSecurity security,
    CertificateAuthority authority,
    EnrolmentRegistry registry,
    ILogger<EmbeddedBroker> logger) : IHostedService, IDisposable
{
    private readonly MqttOptions _options = options.Value;
    private MqttServer? _server;

    /// <summary>Publishes refused by the ACL since start-up.</summary>
    public long RefusedPublishes => Interlocked.Read(ref _refusedPublishes);

    private long _refusedPublishes;

    /// <summary>True while the broker is started and accepting connections (readiness).</summary>
    public bool IsListening => _server is { IsStarted: true };

    /// <summary>The running server, null before start (the load harness times publishes in its interceptor).</summary>
    internal MqttServer? Server => _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bind = IPAddress.Parse(_options.BindAddress);
        var v6 = bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var builder = new MqttServerOptionsBuilder()
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(_options.MaxPendingMessagesPerClient);
        if (security.IsTlsEnabled)
        {
            // TLS 1.2+ only, a client certificate from the device CA required at the handshake; no cleartext port.
            builder = builder.WithoutDefaultEndpoint()
                .WithEncryptedEndpoint()
                .WithEncryptedEndpointPort(_options.Port)
                .WithEncryptionCertificate(authority.ServerCertificate)
                .WithEncryptionSslProtocol(SslProtocols.Tls12 | SslProtocols.Tls13)
                .WithClientCertificate((_, certificate, _, _) => certificate is X509Certificate2 presented && authority.Validate(presented).IsValid, false);
            builder = v6
                ? builder.WithEncryptedEndpointBoundIPV6Address(bind).WithEncryptedEndpointBoundIPAddress(IPAddress.None)
                : builder.WithEncryptedEndpointBoundIPAddress(bind).WithEncryptedEndpointBoundIPV6Address(IPAddress.None);
        }
        else
        {
            builder = builder.WithDefaultEndpoint().WithDefaultEndpointPort(_options.Port);
            builder = v6
                ? builder.WithDefaultEndpointBoundIPV6Address(bind).WithDefaultEndpointBoundIPAddress(IPAddress.None)
                : builder.WithDefaultEndpointBoundIPAddress(bind).WithDefaultEndpointBoundIPV6Address(IPAddress.None);
        }

        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
        _server.ValidatingConnectionAsync += OnValidatingConnectionAsync;
        _server.InterceptingPublishAsync += OnInterceptingPublishAsync;
        _server.InterceptingSubscriptionAsync += OnInterceptingSubscriptionAsync;
        await _server.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        registry.DeviceRevoked += OnDeviceRevoked;
        Log.BrokerStarted(logger, _options.BindAddress, _options.Port, security.LinkLabel);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            Log.BrokerStopped(logger);
        }
    }

    public void Dispose()
    {
        registry.DeviceRevoked -= OnDeviceRevoked;
        _server?.Dispose();
    }

    /// <summary>A revoked device is disconnected at once; its certificate no longer passes the handshake.</summary>
    private void OnDeviceRevoked(string deviceId)
    {
        if (_server is { IsStarted: true } server)
        {
            _ = DisconnectAsync(server, deviceId);
        }
    }

    private async Task DisconnectAsync(MqttServer server, string deviceId)
    {
        try
        {
            var clients = await server.GetClientsAsync().ConfigureAwait(false);
            foreach (var client in clients.Where(c => string.Equals(c.Id, deviceId, StringComparison.Ordinal)))
            {
                await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized, ReasonString = "certificate revoked" })
                    .ConfigureAwait(false);
                Log.RevokedClientDisconnected(logger, deviceId);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.RevokedDisconnectFailed(logger, deviceId, ex);
        }
    }

    private Task OnValidatingConnectionAsync(ValidatingConnectionEventArgs e)
    {
        if (security.IsTlsEnabled && BrokerAcl.CertificateIdentityProblem(e.ClientId, e.IsSecureConnection ? e.ClientCertificate : null, authority) is { } problem)
        {
            e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            e.ReasonString = problem;
            Log.ConnectionRefused(logger, e.ClientId, problem);
            return Task.CompletedTask;
        }

        if (!BrokerAcl.MayConnect(e.ClientId, e.Password, _options, identity.Password))
        {
            e.ReasonCode = _options.IsIngestClientId(e.ClientId)
                ? MqttConnectReasonCode.NotAuthorized
                : MqttConnectReasonCode.ClientIdentifierNotValid;
            Log.ConnectionRefused(logger, e.ClientId, e.ReasonCode.ToString());
        }

        return Task.CompletedTask;
    }

    private Task OnInterceptingPublishAsync(InterceptingPublishEventArgs e)
    {
        if (!BrokerAcl.MayPublish(e.ClientId, e.ApplicationMessage.Topic, _options))
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
        if (!BrokerAcl.MaySubscribe(e.ClientId, e.TopicFilter.Topic, _options))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            Log.SubscriptionRefused(logger, e.ClientId, e.TopicFilter.Topic);
        }

        return Task.CompletedTask;
    }
}
