using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.Security;
using FleetControl.Hosting;
using FleetControl.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace FleetControl.Tests.Identity;

/// <summary>
/// The same attacks against Debian's mosquitto configured as the deployment guide says: TLS with
/// certificates of FleetControl's device CA, <c>require_certificate true</c>,
/// <c>use_identity_as_username true</c>, <c>use_username_as_clientid true</c>, a revocation list, an
/// ACL with <c>%u</c> patterns (deploy/mosquitto/acl) and the dynamic security plugin loaded (it must not widen the ACL).
/// </summary>
public sealed class MosquittoIdentityTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private CertificateAuthority _authority = null!;
    private EnrolmentRegistry _registry = null!;
    private MosquittoBroker _broker = null!;
    private string _crlFile = null!;

    public async ValueTask InitializeAsync()
    {
        var fleet = Microsoft.Extensions.Options.Options.Create(new FleetControlOptions { DataDirectory = _data.Path });
        _registry = new FileEnrolmentRegistry(fleet, TimeProvider.System);
        _authority = new CertificateAuthority(Microsoft.Extensions.Options.Options.Create(new IdentityOptions()), fleet, _registry, TimeProvider.System, NullLogger<CertificateAuthority>.Instance);
        var server = _authority.ServerCertificate;
        var serverCert = Path.Combine(_data.Path, "server.crt");
        var serverKey = Path.Combine(_data.Path, "server.key");
        await File.WriteAllTextAsync(serverCert, server.ExportCertificatePem(), TestContext.Current.CancellationToken);
        using (var key = server.GetECDsaPrivateKey()!)
        {
            PrivateFile.WriteAllText(serverKey, key.ExportPkcs8PrivateKeyPem());
        }

        _crlFile = _authority.WriteRevocationList();
        var acl = Path.Combine(_data.Path, "acl");
        File.Copy(Path.Combine(TestData.RepositoryRoot, "deploy", "mosquitto", "acl"), acl);
        var dynamicSecurity = Path.Combine(_data.Path, "dynamic-security.json");
        await File.WriteAllTextAsync(dynamicSecurity, "{}", TestContext.Current.CancellationToken);
        _broker = await MosquittoBroker.StartAsync(allowAnonymous: false, _ => $"""
            cafile {_authority.RootFile}
            certfile {serverCert}
            keyfile {serverKey}
            tls_version tlsv1.2
            require_certificate true
            use_identity_as_username true
            use_username_as_clientid true
            crlfile {_crlFile}
            acl_file {acl}
            plugin {MosquittoBroker.DynamicSecurityPlugin}
            plugin_opt_config_file {dynamicSecurity}
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _broker.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task OwnCertificate_PublishesUnderOwnPrefixAndSubscribesToOwnAcks()
    {
        using var car1 = Issue("car-1");
        using var client = new MqttClientFactory().CreateMqttClient();
        Assert.True((await EnrolledDevice.TryConnectAsync(client, Options(car1, "car-1"))).Connected);

        var publish = await PublishAsync(client, Topics.Status("car-1"));
        var subscribe = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.Acks("car-1")).Build(), TestContext.Current.CancellationToken);

        Assert.True(publish.IsSuccess, publish.ReasonCode.ToString()); // mosquitto says "no matching subscribers", a success
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, subscribe.Items.Single().ResultCode);
    }

    [Fact]
    public async Task ClientIdOfAnotherDevice_DoesNotBecomeThatDevice()
    {
        using var car1 = Issue("car-1");
        using var car2 = Issue("car-2");
        using var victim = new MqttClientFactory().CreateMqttClient();
        Assert.True((await EnrolledDevice.TryConnectAsync(victim, Options(car2, "car-2"))).Connected);
        using var impostor = new MqttClientFactory().CreateMqttClient();

        var (connected, _) = await EnrolledDevice.TryConnectAsync(impostor, Options(car1, "car-2"));
        var publish = connected ? await PublishAsync(impostor, Topics.Status("car-2")) : null;

        // Either refused outright, or renamed to its certificate's identity: it cannot publish as car-2.
        Assert.True(!connected || publish!.ReasonCode == MqttClientPublishReasonCode.NotAuthorized);
        Assert.True(victim.IsConnected);
    }

    [Fact]
    public async Task PublishUnderAnotherDevicesPrefix_Refused()
    {
        using var car1 = Issue("car-1");
        using var client = new MqttClientFactory().CreateMqttClient();
        Assert.True((await EnrolledDevice.TryConnectAsync(client, Options(car1, "car-1"))).Connected);

        var publish = await PublishAsync(client, Topics.ForEnvelope("car-2", EdgeGateway.Contracts.V1.PriorityClass.Telemetry, "gnss"));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, publish.ReasonCode);
    }

    [Theory]
    [InlineData("fleet/v1/car-2/acks")]
    [InlineData("fleet/v1/car-2/commands/+")]
    [InlineData("fleet/v1/+/acks")]
    public async Task SubscribeToAnotherDevicesTopics_ReceivesNothing(string filter)
    {
        // mosquitto grants the subscription and applies the read ACL per message: the attack is to receive.
        using var car1 = Issue("car-1");
        using var ingest = Issue("fleetcontrol-ingest");
        using var client = new MqttClientFactory().CreateMqttClient();
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        Assert.True((await EnrolledDevice.TryConnectAsync(client, Options(car1, "car-1"))).Connected);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.Acks("car-1"), MqttQualityOfServiceLevel.AtLeastOnce).Build(), TestContext.Current.CancellationToken);
        using var publisher = new MqttClientFactory().CreateMqttClient();
        Assert.True((await EnrolledDevice.TryConnectAsync(publisher, Options(ingest, "fleetcontrol-ingest"))).Connected);

        await PublishAsync(publisher, filter.Contains("commands", StringComparison.Ordinal) ? Topics.Command("car-2", "c1") : Topics.Acks("car-2"));
        await PublishAsync(publisher, Topics.Acks("car-1")); // in order after the first: once it arrives, the first would have
        await Eventually.TrueAsync(() => received.Contains(Topics.Acks("car-1")), because: "car-1 receives its own ack");

        Assert.DoesNotContain(received, topic => topic.Contains("car-2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoCertificate_Refused()
    {
        using var client = new MqttClientFactory().CreateMqttClient();

        Assert.False((await EnrolledDevice.TryConnectAsync(client, EnrolledDevice.MqttOptions(_authority.Root, _broker.Port, "car-1", null))).Connected);
    }

    [Fact]
    public async Task Plaintext_Refused()
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("car-1")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(5)).Build();

        Assert.False((await EnrolledDevice.TryConnectAsync(client, options)).Connected);
    }

    [Fact]
    public async Task ExpiredCertificate_Refused()
    {
        var now = TimeProvider.System.GetUtcNow();
        using var expired = Issue("car-1", now.AddDays(-10), now.AddDays(-1));
        using var client = new MqttClientFactory().CreateMqttClient();

        Assert.False((await EnrolledDevice.TryConnectAsync(client, Options(expired, "car-1"))).Connected);
    }

    [Fact]
    public async Task RevokedCertificate_RefusedOnceTheBrokerReadsTheNewList()
    {
        using var car1 = Issue("car-1");
        using (var before = new MqttClientFactory().CreateMqttClient())
        {
            Assert.True((await EnrolledDevice.TryConnectAsync(before, Options(car1, "car-1"))).Connected);
            await before.DisconnectAsync(new MqttClientDisconnectOptions(), TestContext.Current.CancellationToken);
        }

        _registry.Revoke("car-1");
        _authority.WriteRevocationList();
        await _broker.StopAsync();
        await _broker.StartAgainAsync();
        using var after = new MqttClientFactory().CreateMqttClient();

        Assert.False((await EnrolledDevice.TryConnectAsync(after, Options(car1, "car-1"))).Connected);
    }

    [Fact]
    public async Task RevokedCertificate_RefusedAfterTheReloadCommandWithoutARestart()
    {
        using var car1 = Issue("car-1");
        using var connected = new MqttClientFactory().CreateMqttClient();
        Assert.True((await EnrolledDevice.TryConnectAsync(connected, Options(car1, "car-1"))).Connected);
        var pid = _broker.ProcessId;

        // What POST /api/devices/{id}/revoke does: the registry, then the CRL and the broker's reload command.
        _registry.Revoke("car-1");
        var publisher = new RevocationPublisher(_authority, Microsoft.Extensions.Options.Options.Create(new IdentityOptions
        {
            BrokerReloadCommand = $"kill -HUP {pid.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        }), Microsoft.Extensions.Options.Options.Create(new FleetControl.Mqtt.MqttOptions()), NullLogger<RevocationPublisher>.Instance);
        Assert.True(await publisher.PublishAsync("car-1", TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken));

        await Eventually.UntilAsync(async () =>
        {
            using var after = new MqttClientFactory().CreateMqttClient();
            return !(await EnrolledDevice.TryConnectAsync(after, Options(car1, "car-1"))).Connected;
        }, "a new connection with the revoked certificate is refused", Eventually.DefaultTimeout);
        Assert.Equal(pid, _broker.ProcessId);
    }

    private MqttClientOptions Options(X509Certificate2 certificate, string clientId) =>
        EnrolledDevice.MqttOptions(_authority.Root, _broker.Port, clientId, certificate);

    private X509Certificate2 Issue(string deviceId, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = notBefore is null
            ? _authority.IssueDeviceCertificate(deviceId, DeviceCertificates.CreateSigningRequestPem(deviceId, key))
            : _authority.Issue(deviceId, key, notBefore.Value, notAfter!.Value, clientAuth: true);
        return DeviceCertificates.WithPrivateKey(issued, key);
    }

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload([1])
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), TestContext.Current.CancellationToken)
            .WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
}
