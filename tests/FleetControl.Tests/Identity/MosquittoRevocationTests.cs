using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.Security;
using FleetControl.Hosting;
using FleetControl.Identity;
using FleetControl.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace FleetControl.Tests.Identity;

/// <summary>
/// Revocation against Debian's mosquitto 2.0 set up as deploy/mosquitto says (mutual TLS, the revocation list,
/// the ACL file and the dynamic security plugin), with FleetControl on <c>Mqtt:Mode=External</c>: devices enrolled
/// through REST and gRPC, one revoked through REST while connected. A reloaded CRL alone would refuse only its
/// reconnect; the open connection must close too, and nobody else's.
/// </summary>
public sealed class MosquittoRevocationTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private MosquittoBroker _broker = null!;
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync()
    {
        // The device CA FleetControl will load, made first so the broker can be configured with it.
        var fleetDirectory = _data.Sub("fleet");
        var fleetOptions = Microsoft.Extensions.Options.Options.Create(new FleetControlOptions { DataDirectory = fleetDirectory });
        var authority = new CertificateAuthority(Microsoft.Extensions.Options.Options.Create(new IdentityOptions()), fleetOptions,
            new FileEnrolmentRegistry(fleetOptions, TimeProvider.System), TimeProvider.System, NullLogger<CertificateAuthority>.Instance);
        var serverCert = Path.Combine(_data.Path, "server.crt");
        var serverKey = Path.Combine(_data.Path, "server.key");
        var server = authority.ServerCertificate;
        await File.WriteAllTextAsync(serverCert, server.ExportCertificatePem(), TestContext.Current.CancellationToken);
        using (var key = server.GetECDsaPrivateKey()!)
        {
            PrivateFile.WriteAllText(serverKey, key.ExportPkcs8PrivateKeyPem());
        }

        var crl = authority.WriteRevocationList(); // {identity}/crl.pem: FleetControl rewrites it on every revocation
        var acl = Path.Combine(_data.Path, "acl");
        File.Copy(Path.Combine(TestData.RepositoryRoot, "deploy", "mosquitto", "acl"), acl);
        var dynamicSecurity = Path.Combine(_data.Path, "dynamic-security.json");
        await File.WriteAllTextAsync(dynamicSecurity, "{}", TestContext.Current.CancellationToken);
        _broker = await MosquittoBroker.StartAsync(allowAnonymous: false, _ => $"""
            cafile {authority.RootFile}
            certfile {serverCert}
            keyfile {serverKey}
            tls_version tlsv1.2
            require_certificate true
            use_identity_as_username true
            use_username_as_clientid true
            crlfile {crl}
            acl_file {acl}
            plugin {MosquittoBroker.DynamicSecurityPlugin}
            plugin_opt_config_file {dynamicSecurity}
            """);

        _fleet = await FleetControlInstance.StartAsync(fleetDirectory, _broker.Port,
            "--Identity:DevelopmentPlaintext=false",
            "--Mqtt:Mode=External",
            "--Mqtt:Host=127.0.0.1",
            $"--Identity:BrokerReloadCommand=kill -HUP {_broker.ProcessId.ToString(CultureInfo.InvariantCulture)}");
    }

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _broker.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Revoke_DeviceConnectedToMosquitto_ConnectionClosedReconnectRefusedOthersStay()
    {
        using var car1 = await EnrolledDevice.EnrolAsync(_fleet, "car-1");
        using var car2 = await EnrolledDevice.EnrolAsync(_fleet, "car-2");
        using var revoked = new MqttClientFactory().CreateMqttClient();
        using var other = new MqttClientFactory().CreateMqttClient();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        revoked.DisconnectedAsync += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        var (connected, reason) = await EnrolledDevice.TryConnectAsync(revoked, Options(car1));
        Assert.True(connected, reason);
        (connected, reason) = await EnrolledDevice.TryConnectAsync(other, Options(car2));
        Assert.True(connected, reason);

        using var revoke = await _fleet.Http.PostAsync("/api/devices/car-1/revoke", null, TestContext.Current.CancellationToken)
            .WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        revoke.EnsureSuccessStatusCode();

        await closed.Task.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken); // the open connection, closed by the broker
        using var again = new MqttClientFactory().CreateMqttClient();
        Assert.False((await EnrolledDevice.TryConnectAsync(again, Options(car1))).Connected);
        Assert.True(other.IsConnected);
        var publish = await other.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Status("car-2")).WithPayload([1])
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), TestContext.Current.CancellationToken)
            .WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        Assert.True(publish.IsSuccess, publish.ReasonCode.ToString());
        Assert.DoesNotContain(_fleet.Logs.Entries, m => m.Contains("did not close", StringComparison.Ordinal));
    }

    private MqttClientOptions Options(EnrolledDevice device) =>
        EnrolledDevice.MqttOptions(EnrolledDevice.Root(_fleet), _broker.Port, device.DeviceId, device.Certificate);
}
