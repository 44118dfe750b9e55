using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FleetControl.Identity;
using FleetControl.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FleetControl.Tests.Identity;

/// <summary>REST and the web console over TLS by default, with a certificate from FleetControl's CA, checked by real clients.</summary>
public sealed class RestTlsTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private FleetControlInstance _fleet = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _fleet = await FleetControlInstance.StartAsync(_data.Path, FreePort.Next(), "--Identity:DevelopmentPlaintext=false");

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Rest_TlsOn_CertificateChainsToFleetControlsCaAndNamesTheHost()
    {
        var root = _fleet.Services.GetRequiredService<CertificateAuthority>().Root;
        Assert.Equal(Uri.UriSchemeHttps, _fleet.RestUri.Scheme);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_fleet.RestUri.Host, _fleet.RestUri.Port, Ct).AsTask().WaitAsync(Eventually.DefaultTimeout, Ct);
        X509Certificate2? presented = null;
        SslPolicyErrors systemVerdict = SslPolicyErrors.None;
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, errors) =>
        {
            presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            systemVerdict = errors;
            return true; // judged below against FleetControl's CA
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" }, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.True(tls.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13, tls.SslProtocol.ToString());
        Assert.NotNull(presented);
        Assert.True((systemVerdict & SslPolicyErrors.RemoteCertificateChainErrors) != 0, "the system store does not know FleetControl's own CA");
        Assert.Equal(SslPolicyErrors.None, systemVerdict & SslPolicyErrors.RemoteCertificateNameMismatch);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")); // server authentication
        Assert.True(chain.Build(presented!), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(root.Thumbprint, chain.ChainElements[^1].Certificate.Thumbprint);
    }

    [Fact]
    public async Task Rest_ForceWebCertificateConfigured_ServedInsteadOfTheCaIssuedOne()
    {
        using var data = new TempDirectory();
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=fleet.force.example", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var web = request.CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddDays(1));
        var certificateFile = Path.Combine(data.Path, "web.crt");
        var keyFile = Path.Combine(data.Path, "web.key");
        await File.WriteAllTextAsync(certificateFile, web.ExportCertificatePem(), Ct);
        EdgeGateway.Contracts.Security.PrivateFile.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        await using var fleet = await FleetControlInstance.StartAsync(Path.Combine(data.Path, "fleet"), FreePort.Next(),
            "--Identity:DevelopmentPlaintext=false", $"--FleetControl:Tls:CertificatePath={certificateFile}", $"--FleetControl:Tls:KeyPath={keyFile}");

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fleet.RestUri.Host, fleet.RestUri.Port, Ct).AsTask().WaitAsync(Eventually.DefaultTimeout, Ct);
        string? thumbprint = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            thumbprint = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()).Thumbprint;
            return true;
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" }, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.Equal(web.Thumbprint, thumbprint);
    }

    [Fact]
    public async Task Rest_ClientTrustingTheCa_SignedInRequestsWork()
    {
        using var response = await _fleet.Http.GetAsync("/api/devices", Ct);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Rest_ClientWithOnlyTheSystemStore_RefusesTheConnection()
    {
        using var client = new HttpClient { BaseAddress = _fleet.RestUri, Timeout = Eventually.DefaultTimeout };

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/healthz", Ct));
        Assert.IsType<AuthenticationException>(refused.InnerException);
    }

    [Fact]
    public async Task Rest_PlaintextRequestToTheTlsPort_GetsNoAnswer()
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://{_fleet.RestUri.Host}:{_fleet.RestUri.Port}"), Timeout = Eventually.DefaultTimeout };

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync("/api/devices", Ct));
    }
}
