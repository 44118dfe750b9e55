using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts.Security;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Options;
using MQTTnet;

namespace EdgeGateway.Security;

/// <summary>
/// This gateway's current identity: its certificate (with the key from <see cref="IDeviceKeyStore"/>) and
/// the CA it trusts, and the TLS settings every link takes from them: the MQTT client and the gRPC
/// channels. The certificate is swapped in place on renewal; the next connection uses the new one.
/// </summary>
internal sealed class GatewayIdentity
{
    private readonly SecurityOptions _options;
    private readonly Lazy<X509Certificate2> _anchor;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private X509Certificate2? _current;

    public GatewayIdentity(IOptions<SecurityOptions> options, IOptions<GatewayOptions> gateway, IDeviceKeyStore keys)
    {
        _options = options.Value;
        Keys = keys;
        DeviceId = gateway.Value.DeviceId;
        Directory = DirectoryFor(_options, gateway.Value);
        _anchor = new Lazy<X509Certificate2>(() => X509CertificateLoader.LoadCertificate(
            X509Certificate2.CreateFromPem(File.ReadAllText(_options.CaCertificateFile!)).RawData));
        if (IsPlaintext)
        {
            _ready.TrySetResult();
        }
    }

    /// <summary>The development override: no TLS, no certificate (tests whose subject is not security, dev runs).</summary>
    public static GatewayIdentity DevelopmentPlaintext(string deviceId) => new(
        Options.Create(new SecurityOptions { DevelopmentPlaintext = true }),
        Options.Create(new GatewayOptions { DeviceId = deviceId }),
        new FileDeviceKeyStore(System.IO.Path.GetTempPath()));

    public string DeviceId { get; }

    /// <summary>True under the development override <c>Security:DevelopmentPlaintext</c>.</summary>
    public bool IsPlaintext => _options.DevelopmentPlaintext;

    /// <summary>Where the key and certificate are kept.</summary>
    public string Directory { get; }

    public string CertificatePath => System.IO.Path.Combine(Directory, "device.crt");

    public IDeviceKeyStore Keys { get; }

    /// <summary>The CA this gateway trusts (FleetControl's device CA).</summary>
    public X509Certificate2 TrustAnchor => _anchor.Value;

    /// <summary>The certificate (with private key) in use, or null before enrolment.</summary>
    public X509Certificate2? Current => Volatile.Read(ref _current);

    /// <summary>How the start-up logs name the links.</summary>
    public string LinkLabel => IsPlaintext ? "PLAINTEXT (development override)" : "mTLS";

    /// <summary>Completes once the gateway has a certificate (at once under the development override).</summary>
    public Task WaitReadyAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>Installs a new certificate (from disk, enrolment or renewal).</summary>
    public void Use(X509Certificate2 certificate)
    {
        Volatile.Write(ref _current, certificate);
        _ready.TrySetResult();
    }

    /// <summary>
    /// The HTTP handler of every gRPC channel: TLS 1.2+, the server checked against the trust anchor, the
    /// current certificate offered. Calls wait until the gateway has a certificate, so no connection is ever
    /// opened (and pooled) without one; only the enrolment channel passes <paramref name="waitForCertificate"/> false.
    /// </summary>
    public HttpMessageHandler CreateHttpHandler(bool waitForCertificate = true)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (IsPlaintext)
        {
            return handler;
        }

        ConfigureTls(handler);
        return waitForCertificate ? new WaitForCertificateHandler(this, handler) : handler;
    }

    private void ConfigureTls(SocketsHttpHandler handler)
    {
        handler.SslOptions.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            ServerCertificateCheck.IsTrusted(certificate, errors, TrustAnchor);
        handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => Current!;
    }

    /// <summary>Adds TLS with the current client certificate to an MQTT connection (nothing under the override).</summary>
    public MqttClientOptionsBuilder ApplyTls(MqttClientOptionsBuilder builder)
    {
        if (IsPlaintext)
        {
            return builder;
        }

        var certificate = Current ?? throw new InvalidOperationException("The gateway has no certificate yet; it is not enrolled.");
        var anchor = TrustAnchor;
        return builder.WithTlsOptions(tls => tls
            .UseTls()
            .WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
            .WithClientCertificates([certificate])
            .WithCertificateValidationHandler(e => ServerCertificateCheck.IsTrusted(e.Certificate, e.SslPolicyErrors, anchor)));
    }

    internal static string DirectoryFor(SecurityOptions options, GatewayOptions gateway) =>
        System.IO.Path.GetFullPath(options.Directory is { Length: > 0 } configured ? configured : System.IO.Path.Combine(gateway.DataDirectory, "identity"));
}
