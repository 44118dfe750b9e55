using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.V1;
using FleetControl.Identity;
using FleetControl.Tests.Evidence;
using FleetControl.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace FleetControl.Tests.Identity;

/// <summary>
/// FleetControl with mutual TLS on (the default), attacked as a rogue device or a stranger on the network
/// would: every test fails if the protection it names is removed.
/// </summary>
public sealed class IdentityAttackTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly int _mqttPort = FreePort.Next();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() =>
        _fleet = await FleetControlInstance.StartAsync(_data.Path, _mqttPort, "--Identity:DevelopmentPlaintext=false", $"--Evidence:VaultDirectory={_data.Sub("vault")}");

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Mqtt_OwnCertificateAndClientId_ConnectsAndPublishesUnderOwnPrefix()
    {
        using var car = await EnrolledDevice.EnrolAsync(_fleet, "car-1");
        using var client = new MqttClientFactory().CreateMqttClient();

        var (connected, reason) = await EnrolledDevice.TryConnectAsync(client, car.MqttOptions(_fleet, _mqttPort));
        Assert.True(connected, reason);
        var publish = await PublishAsync(client, Topics.Status("car-1"));

        Assert.Equal(MqttClientPublishReasonCode.Success, publish.ReasonCode);
    }

    [Fact]
    public async Task Mqtt_CertificateOfOneDeviceWithClientIdOfAnother_Refused()
    {
        using var car1 = await EnrolledDevice.EnrolAsync(_fleet, "car-1");
        using var client = new MqttClientFactory().CreateMqttClient();

        var (connected, reason) = await EnrolledDevice.TryConnectAsync(client, car1.MqttOptions(_fleet, _mqttPort, clientId: "car-2"));

        Assert.False(connected);
        Assert.Contains("NotAuthorized", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mqtt_NoClientCertificate_Refused()
    {
        using var client = new MqttClientFactory().CreateMqttClient();

        var (connected, _) = await EnrolledDevice.TryConnectAsync(client, EnrolledDevice.MqttOptions(EnrolledDevice.Root(_fleet), _mqttPort, "car-1", null));

        Assert.False(connected);
    }

    [Fact]
    public async Task Mqtt_PlaintextToTlsPort_Refused()
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _mqttPort).WithClientId("car-1")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(5)).Build();

        var (connected, _) = await EnrolledDevice.TryConnectAsync(client, options);

        Assert.False(connected);
    }

    [Fact]
    public async Task Mqtt_CertificateFromAnotherAuthority_Refused()
    {
        using var otherData = new TempDirectory();
        await using var other = await FleetControlInstance.StartAsync(otherData.Path, FreePort.Next(), "--Identity:DevelopmentPlaintext=false");
        using var stranger = await EnrolledDevice.EnrolAsync(other, "car-1");
        using var client = new MqttClientFactory().CreateMqttClient();

        var (connected, _) = await EnrolledDevice.TryConnectAsync(client,
            EnrolledDevice.MqttOptions(EnrolledDevice.Root(_fleet), _mqttPort, "car-1", stranger.Certificate));

        Assert.False(connected);
    }

    [Fact]
    public async Task Mqtt_PublishUnderAnotherDevicesPrefix_Refused()
    {
        using var car1 = await EnrolledDevice.EnrolAsync(_fleet, "car-1");
        using var client = new MqttClientFactory().CreateMqttClient();
        Assert.True((await EnrolledDevice.TryConnectAsync(client, car1.MqttOptions(_fleet, _mqttPort))).Connected);

        var publish = await PublishAsync(client, Topics.ForEnvelope("car-2", PriorityClass.Telemetry, "gnss"));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, publish.ReasonCode);
    }

    [Theory]
    [InlineData("fleet/v1/car-2/acks")]
    [InlineData("fleet/v1/car-2/commands/+")]
    [InlineData("fleet/v1/+/acks")]
    [InlineData("fleet/v1/car-1/#")]
    public async Task Mqtt_SubscribeBeyondOwnAcksAndCommands_Refused(string filter)
    {
        using var car1 = await EnrolledDevice.EnrolAsync(_fleet, "car-1");
        using var client = new MqttClientFactory().CreateMqttClient();
        Assert.True((await EnrolledDevice.TryConnectAsync(client, car1.MqttOptions(_fleet, _mqttPort))).Connected);

        var own = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.Acks("car-1")).Build(), TestContext.Current.CancellationToken);
        var other = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter).Build(), TestContext.Current.CancellationToken);

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, own.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, other.Items.Single().ResultCode);
    }

    [Fact]
    public async Task Mqtt_ExpiredCertificate_Refused()
    {
        using var expired = IssueExpired("car-1");
        using var client = new MqttClientFactory().CreateMqttClient();

        var (connected, _) = await EnrolledDevice.TryConnectAsync(client,
            EnrolledDevice.MqttOptions(EnrolledDevice.Root(_fleet), _mqttPort, "car-1", expired));

        Assert.False(connected);
    }

    [Fact]
    public async Task Revoke_ConnectedDevice_DroppedWithinSecondsAndCannotReconnect()
    {
        using var car1 = await EnrolledDevice.EnrolAsync(_fleet, "car-1");
        using var client = new MqttClientFactory().CreateMqttClient();
        Assert.True((await EnrolledDevice.TryConnectAsync(client, car1.MqttOptions(_fleet, _mqttPort))).Connected);

        using var revoke = await _fleet.Http.PostAsync("/api/devices/car-1/revoke", null, TestContext.Current.CancellationToken);
        revoke.EnsureSuccessStatusCode();

        await Eventually.TrueAsync(() => !client.IsConnected, TimeSpan.FromSeconds(10), "the revoked device is disconnected");
        using var again = new MqttClientFactory().CreateMqttClient();
        Assert.False((await EnrolledDevice.TryConnectAsync(again, car1.MqttOptions(_fleet, _mqttPort))).Connected);
    }

    [Fact]
    public async Task Revoke_DuringGrpcUpload_CallAbortedAndNextCallRefused()
    {
        using var dock = await EnrolledDevice.EnrolAsync(_fleet, "dock-01");
        using var channel = dock.Channel(_fleet);
        var vault = new EvidenceVault.EvidenceVaultClient(channel);
        var data = VaultClient.RandomBytes(64 * 1024, 1);
        using var call = vault.Upload(cancellationToken: TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(new UploadRequest { Header = new UploadHeader { Item = VaultClient.Item("ev-1", data) } }, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => Directory.Exists(VaultDirectory()) && File.Exists(Path.Combine(VaultDirectory(), "ev-1.partial")), because: "the upload has started");

        using var revoke = await _fleet.Http.PostAsync("/api/devices/dock-01/revoke", null, TestContext.Current.CancellationToken);
        revoke.EnsureSuccessStatusCode();

        await Assert.ThrowsAnyAsync<Exception>(() => call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        var next = await Assert.ThrowsAsync<RpcException>(() => vault.GetUploadOffsetAsync(new UploadOffsetRequest { EvidenceId = "ev-1" },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken));
        Assert.NotEqual(StatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Grpc_NoClientCertificate_Unauthenticated()
    {
        using var channel = EnrolledDevice.Channel(_fleet, null);
        var registry = new DeviceRegistry.DeviceRegistryClient(channel);

        var refused = await Assert.ThrowsAsync<RpcException>(() => registry.RegisterAsync(new RegisterRequest { DeviceId = "car-1" },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task Grpc_ExpiredCertificate_Refused()
    {
        using var expired = IssueExpired("car-1");
        using var channel = EnrolledDevice.Channel(_fleet, expired);
        var registry = new DeviceRegistry.DeviceRegistryClient(channel);

        await Assert.ThrowsAsync<RpcException>(() => registry.RegisterAsync(new RegisterRequest { DeviceId = "car-1" },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Grpc_PlaintextToTlsPort_Fails()
    {
        using var channel = GrpcChannel.ForAddress(new UriBuilder(_fleet.GrpcUri) { Scheme = "http" }.Uri);
        var registry = new DeviceRegistry.DeviceRegistryClient(channel);

        await Assert.ThrowsAsync<RpcException>(() => registry.RegisterAsync(new RegisterRequest { DeviceId = "car-1" },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Grpc_RegisterAsAnotherDevice_PermissionDenied()
    {
        using var car1 = await EnrolledDevice.EnrolAsync(_fleet, "car-1");
        using var channel = car1.Channel(_fleet);
        var registry = new DeviceRegistry.DeviceRegistryClient(channel);

        var own = await registry.RegisterAsync(new RegisterRequest { DeviceId = "car-1" }, cancellationToken: TestContext.Current.CancellationToken);
        var refused = await Assert.ThrowsAsync<RpcException>(() => registry.RegisterAsync(new RegisterRequest { DeviceId = "car-2" },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken));

        Assert.True(own.Accepted);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    [Fact]
    public async Task Grpc_UploadEvidenceForAnotherDevice_PermissionDenied()
    {
        using var attacker = await EnrolledDevice.EnrolAsync(_fleet, "dock-02");
        using var client = new VaultClient(attacker.Channel(_fleet));
        var data = VaultClient.RandomBytes(4096, 2);
        var item = VaultClient.Item("ev-2", data); // DeviceId dock-01

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.UploadAsync(item, data, VaultClient.DockChain("ev-2", item.Sha256)));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.False(File.Exists(Path.Combine(VaultDirectory(), "ev-2.receipt.json")));
    }

    [Fact]
    public async Task Grpc_AppendCustodyToAnotherDevicesItem_PermissionDenied()
    {
        using var owner = await EnrolledDevice.EnrolAsync(_fleet, "dock-01");
        using var attacker = await EnrolledDevice.EnrolAsync(_fleet, "dock-02");
        var data = VaultClient.RandomBytes(4096, 3);
        var item = VaultClient.Item("ev-3", data);
        var chain = VaultClient.DockChain("ev-3", item.Sha256);
        using (var ownerClient = new VaultClient(owner.Channel(_fleet)))
        {
            var receipt = await ownerClient.UploadAsync(item, data, chain);
            chain.AddRange(receipt.Custody.Select(CustodyLink.FromProto));
        }

        using var attackerClient = new VaultClient(attacker.Channel(_fleet));
        var request = new AppendCustodyRequest { EvidenceId = "ev-3" };
        request.Entries.Add(VaultClient.Next("ev-3", chain, "wiped").ToProto());
        var refused = await Assert.ThrowsAsync<RpcException>(() => attackerClient.Client.AppendCustodyAsync(request,
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        using var ownerAgain = new VaultClient(owner.Channel(_fleet));
        var appended = await ownerAgain.Client.AppendCustodyAsync(request, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((ulong)chain.Count + 1, appended.Length);
    }

    [Fact]
    public async Task Enrol_ReplayedTokenWithAnotherKey_PermissionDenied()
    {
        var token = await EnrolledDevice.RequestTokenAsync(_fleet, "car-1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var attackerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var first = await EnrolledDevice.EnrolAsync(_fleet, "car-1", token, key);

        var replay = await Assert.ThrowsAsync<RpcException>(() => EnrolledDevice.EnrolAsync(_fleet, "car-1", token, attackerKey));

        Assert.NotEmpty(first.CertificatePem);
        Assert.Equal(StatusCode.PermissionDenied, replay.StatusCode);
    }

    [Fact]
    public async Task Enrol_SameKeyAgainAfterACrashBeforeSaving_GetsItsCertificate_UntilRevoked()
    {
        // A gateway killed after FleetControl issued its certificate but before it was saved comes back with the
        // spent token and the key it already holds (proven by the CSR's signature): it must not be locked out.
        var token = await EnrolledDevice.RequestTokenAsync(_fleet, "car-1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var first = await EnrolledDevice.EnrolAsync(_fleet, "car-1", token, key);

        var again = await EnrolledDevice.EnrolAsync(_fleet, "car-1", token, key);
        using var firstCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(first.CertificatePem);
        using var secondCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(again.CertificatePem);
        Assert.Equal("car-1", EdgeGateway.Contracts.Security.DeviceCertificates.CommonName(secondCertificate));
        Assert.Equal(firstCertificate.PublicKey.ExportSubjectPublicKeyInfo(), secondCertificate.PublicKey.ExportSubjectPublicKeyInfo());

        using var revoke = await _fleet.Http.PostAsync("/api/devices/car-1/revoke", null, TestContext.Current.CancellationToken);
        revoke.EnsureSuccessStatusCode();
        var afterRevoke = await Assert.ThrowsAsync<RpcException>(() => EnrolledDevice.EnrolAsync(_fleet, "car-1", token, key));
        Assert.Equal(StatusCode.PermissionDenied, afterRevoke.StatusCode);
    }

    [Fact]
    public async Task Enrol_TokenOfAnotherDevice_PermissionDenied()
    {
        var token = await EnrolledDevice.RequestTokenAsync(_fleet, "car-1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var refused = await Assert.ThrowsAsync<RpcException>(() => EnrolledDevice.EnrolAsync(_fleet, "car-2", token, key));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    [Fact]
    public async Task Renew_WithCurrentCertificate_NewCertificateForTheSameDevice()
    {
        using var car1 = await EnrolledDevice.EnrolAsync(_fleet, "car-1");
        using var channel = car1.Channel(_fleet);
        using var key = car1.Certificate.GetECDsaPrivateKey()!;

        var reply = await new DeviceIdentity.DeviceIdentityClient(channel).RenewAsync(
            new RenewRequest { CsrPem = EdgeGateway.Contracts.Security.DeviceCertificates.CreateSigningRequestPem("car-2", key) },
            cancellationToken: TestContext.Current.CancellationToken);
        using var renewed = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(reply.CertificatePem);

        Assert.Equal("car-1", EdgeGateway.Contracts.Security.DeviceCertificates.CommonName(renewed)); // the caller's id, not the CSR's
        Assert.NotEqual(car1.Certificate.SerialNumber, renewed.SerialNumber);
    }

    private System.Security.Cryptography.X509Certificates.X509Certificate2 IssueExpired(string deviceId)
    {
        var authority = _fleet.Services.GetRequiredService<CertificateAuthority>();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = TimeProvider.System.GetUtcNow();
        using var issued = authority.Issue(deviceId, key, now.AddDays(-10), now.AddDays(-1), clientAuth: true);
        return EdgeGateway.Contracts.Security.DeviceCertificates.WithPrivateKey(issued, key);
    }

    private string VaultDirectory() => Path.Combine(_data.Path, "vault");

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload([1, 2, 3])
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
}
