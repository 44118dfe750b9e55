using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using EdgeGateway.Contracts.Security;
using EdgeGateway.Contracts.V1;
using FleetControl.Hosting;
using FleetControl.Identity;
using FleetControl.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FleetControl.Tests.Identity;

/// <summary>
/// Two FleetControl instances under mutual TLS on one PostgreSQL database, given the same device CA files and one
/// shared revocation list file and certificates directory: a device enrolled through A with A's token is renewed through B, revoked through B
/// and refused by A, and A's list for the broker names its certificates; each instance's vault custody key is certified
/// where the other finds it. Without the CA files an instance on the
/// shared database does not start.
/// </summary>
public sealed class TwoInstanceIdentityTests(PostgreSqlCluster cluster) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private string _connectionString = string.Empty;
    private string _caCertificate = string.Empty;
    private string _caKey = string.Empty;
    private string _revocationList = string.Empty;
    private FleetControlInstance? _a;
    private FleetControlInstance? _b;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _connectionString = await cluster.CreateDatabaseAsync("twoidentity");

        // The operator's CA, made once and handed to every instance.
        var caData = Options.Create(new FleetControlOptions { DataDirectory = _dir.Sub("ca") });
        new CertificateAuthority(Options.Create(new IdentityOptions()), caData, new FileEnrolmentRegistry(caData, TimeProvider.System),
            TimeProvider.System, NullLogger<CertificateAuthority>.Instance).EnsureLoaded();
        _caCertificate = Path.Combine(CertificateAuthority.IdentityDirectory(caData.Value), "ca.crt");
        _caKey = Path.Combine(CertificateAuthority.IdentityDirectory(caData.Value), "ca.key");
        _revocationList = Path.Combine(_dir.Sub("shared"), "crl.pem");

        var started = await Task.WhenAll(new[] { "a", "b" }.Select(name => StartAsync(name, withCa: true)));
        (_a, _b) = (started[0], started[1]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task Device_EnrolledThroughA_RenewedAndRevokedThroughB_RefusedByA()
    {
        var (a, b) = (_a!, _b!);
        Assert.Equal(EnrolledDevice.Root(a).Thumbprint, EnrolledDevice.Root(b).Thumbprint);
        var token = await EnrolledDevice.RequestTokenAsync(a, "car-1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var enrolled = await EnrolledDevice.EnrolAsync(a, "car-1", token, key);
        using var first = WithKey(enrolled.CertificatePem, key);

        // B takes the certificate A issued, renews it, and knows the token is spent.
        var renewed = await RenewAsync(b, first, key);
        using var second = WithKey(renewed.CertificatePem, key);
        Assert.Equal("car-1", DeviceCertificates.CommonName(second));
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
        var identityOnA = await a.GetJsonAsync("/api/devices/car-1/identity");
        Assert.Equal(2, identityOnA.GetProperty("validCertificates").GetInt32());
        Assert.False(identityOnA.GetProperty("enrolmentPending").GetBoolean());
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var replay = await Assert.ThrowsAsync<RpcException>(() => EnrolledDevice.EnrolAsync(b, "car-1", token, otherKey));
        Assert.Equal(StatusCode.PermissionDenied, replay.StatusCode);

        using (var revoke = await b.Http.PostAsync("/api/devices/car-1/revoke", null, Ct))
        {
            revoke.EnsureSuccessStatusCode();
            Assert.Equal(2, (await revoke.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("revokedCertificates").GetInt32());
        }

        // A, which issued the first certificate and never heard of the revocation, refuses both.
        var authorityA = a.Services.GetRequiredService<CertificateAuthority>();
        foreach (var certificate in new[] { first, second })
        {
            var check = authorityA.Validate(certificate);
            Assert.False(check.IsValid);
            Assert.Contains("revoked", check.Reason, StringComparison.Ordinal);
            await Assert.ThrowsAsync<RpcException>(() => RenewAsync(a, certificate, key));
        }

        Assert.Equal(2, (await a.GetJsonAsync("/api/devices/car-1/identity")).GetProperty("revokedCertificates").GetInt32());

        // The broker's list (one file every instance writes) names both, whichever instance wrote it last.
        Assert.Equal(_revocationList, authorityA.WriteRevocationList());
        var list = CertificateRevocationListBuilder.LoadPem(await File.ReadAllTextAsync(_revocationList, Ct), out _);
        Assert.True(list.RemoveEntry(Convert.FromHexString(first.SerialNumber)));
        Assert.True(list.RemoveEntry(Convert.FromHexString(second.SerialNumber)));
    }

    [Fact]
    public void VaultCustodyKeys_EachInstancesOwn_CertifiedWhereEveryInstanceFindsThem()
    {
        var (a, b) = (_a!, _b!);
        var keyA = a.Services.GetRequiredService<VaultCustodySigner>().KeyId; // A has read the shared certificates by now
        var keyB = b.Services.GetRequiredService<VaultCustodySigner>().KeyId; // B's key is certified after that

        Assert.NotEqual(keyA, keyB);
        var issuedOnA = a.Services.GetRequiredService<CertificateAuthority>().Issued;
        var forB = Assert.Single(issuedOnA.ForKey(keyB));
        Assert.Equal(VaultCustodySigner.SignerName, DeviceCertificates.CommonName(forB));
        Assert.Equal(EnrolledDevice.Root(a).SubjectName.Name, forB.IssuerName.Name);
        Assert.Single(b.Services.GetRequiredService<CertificateAuthority>().Issued.ForKey(keyA));
    }

    [Fact]
    public async Task SharedDatabaseUnderMutualTls_WithoutCaFiles_RefusesToStart_NamingTheSettings()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync("c", withCa: false));

        Assert.Contains("Identity:CaCertificateFile", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Identity:CaKeyFile", refused.Message, StringComparison.Ordinal);
    }

    private Task<FleetControlInstance> StartAsync(string name, bool withCa)
    {
        string[] ca = withCa ? [$"--Identity:CaCertificateFile={_caCertificate}", $"--Identity:CaKeyFile={_caKey}"] : [];
        return FleetControlInstance.StartAsync(
            _dir.Sub(name),
            FreePort.Next(),
            [
                "--Identity:DevelopmentPlaintext=false",
                "--Store:Provider=PostgreSql",
                $"--Store:ConnectionString={_connectionString}",
                "--Store:MaxPoolSize=5",
                $"--Evidence:VaultDirectory={_dir.Sub("shared-vault")}",
                $"--Identity:RevocationListFile={_revocationList}",
                $"--Identity:CertificatesDirectory={Path.Combine(_dir.Path, "shared", "certificates")}",
                .. ca,
            ]);
    }

    private static X509Certificate2 WithKey(string pem, ECDsa key)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return DeviceCertificates.WithPrivateKey(certificate, key);
    }

    private static async Task<CertificateReply> RenewAsync(FleetControlInstance fleet, X509Certificate2 certificate, ECDsa key)
    {
        using var channel = EnrolledDevice.Channel(fleet, certificate);
        return await new DeviceIdentity.DeviceIdentityClient(channel)
            .RenewAsync(new RenewRequest { CsrPem = DeviceCertificates.CreateSigningRequestPem("car-1", key) }, cancellationToken: Ct)
            .ResponseAsync.WaitAsync(TimeSpan.FromSeconds(60), Ct);
    }
}
