using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts.Security;
using FleetControl.Hosting;
using Microsoft.Extensions.Options;

namespace FleetControl.Identity;

/// <summary>
/// The device certificate authority, built on .NET's <see cref="CertificateRequest"/>. Its root (ECDSA
/// P-256) is either given in configuration or generated on first start into <c>{DataDirectory}/identity</c>
/// (<c>ca.crt</c>, and <c>ca.key</c> with mode 0600). It issues device certificates from their CSRs, the
/// server certificate for the gRPC port and the embedded broker, and FleetControl's own ingest client
/// certificate, and it validates a presented client certificate (chain, validity, usage, revocation).
/// </summary>
internal sealed class CertificateAuthority
{
    private const string CaCertificateName = "ca.crt";
    private const string CaKeyName = "ca.key";
    private static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

    private readonly IdentityOptions _options;
    private readonly string _directory;
    private readonly EnrolmentRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger<CertificateAuthority> _logger;
    private readonly Lazy<(X509Certificate2 Root, ECDsa Key)> _root;
    private readonly Lazy<X509Certificate2> _server;

    public CertificateAuthority(
        IOptions<IdentityOptions> options,
        IOptions<FleetControlOptions> fleet,
        EnrolmentRegistry registry,
        TimeProvider time,
        ILogger<CertificateAuthority> logger,
        IssuedCertificates? issued = null)
    {
        _options = options.Value;
        _directory = IdentityDirectory(fleet.Value);
        Issued = issued ?? new IssuedCertificates(_directory, _options.CertificatesDirectory);
        _registry = registry;
        _time = time;
        _logger = logger;
        _root = new Lazy<(X509Certificate2, ECDsa)>(LoadOrCreateRoot, LazyThreadSafetyMode.ExecutionAndPublication);
        _server = new Lazy<X509Certificate2>(IssueServerCertificate, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Where the generated root, the identity state and the revocation list live.</summary>
    public static string IdentityDirectory(FleetControlOptions fleet) => Path.Combine(Path.GetFullPath(fleet.DataDirectory), "identity");

    /// <summary>Every certificate this authority issued, kept so that old custody signatures stay verifiable.</summary>
    public IssuedCertificates Issued { get; }

    /// <summary>The root certificate (public part): gateways trust it for the server, FleetControl for devices.</summary>
    public X509Certificate2 Root => _root.Value.Root;

    /// <summary>The root in PEM, as handed to gateways at enrolment.</summary>
    public string RootPem => Root.ExportCertificatePem();

    /// <summary>The file gateways and brokers are given as their trust anchor.</summary>
    public string RootFile => _options.CaCertificateFile is { Length: > 0 } given ? Path.GetFullPath(given) : Path.Combine(_directory, CaCertificateName);

    /// <summary>The TLS server certificate (with key) of the gRPC port and the embedded broker; issued at start-up.</summary>
    public X509Certificate2 ServerCertificate => _server.Value;

    /// <summary>Loads or creates the root now, so a bad CA file fails start-up instead of the first handshake.</summary>
    public void EnsureLoaded() => _ = _server.Value;

    /// <summary>
    /// Signs a device certificate for <paramref name="deviceId"/> from a PKCS#10 request (its signature is
    /// checked; the subject is replaced by <c>CN={deviceId}</c>; only ECDSA P-256/P-384 keys are accepted).
    /// </summary>
    /// <exception cref="ArgumentException">The request is not a valid, self-signed PKCS#10 of an accepted key.</exception>
    public X509Certificate2 IssueDeviceCertificate(string deviceId, string csrPem)
    {
        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException($"the certificate signing request is not valid PKCS#10 with a good signature: {ex.Message}", nameof(csrPem), ex);
        }

        using var key = request.PublicKey.GetECDsaPublicKey()
            ?? throw new ArgumentException("the certificate signing request must carry an ECDSA key (P-256)", nameof(csrPem));
        if (key.KeySize is not (256 or 384))
        {
            throw new ArgumentException($"the device key must be ECDSA P-256 (or P-384), not {key.KeySize} bits", nameof(csrPem));
        }

        var now = _time.GetUtcNow();
        return Issue(deviceId, key, now - ClockSkewAllowance, now + _options.DeviceCertificateLifetime, clientAuth: true);
    }

    /// <summary>A client certificate (with key) for one of FleetControl's own clients, e.g. the ingest client.</summary>
    public X509Certificate2 IssueServiceClientCertificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = _time.GetUtcNow();
        using var issued = Issue(name, key, now - ClockSkewAllowance, now + TimeSpan.FromDays(365), clientAuth: true);
        return DeviceCertificates.WithPrivateKey(issued, key);
    }

    /// <summary>
    /// Signs a certificate with explicit validity (tests and tools: an expired certificate must be refused).
    /// Records it as issued to <paramref name="subject"/> so a revocation covers it.
    /// </summary>
    internal X509Certificate2 Issue(string subject, ECDsa publicKey, DateTimeOffset notBefore, DateTimeOffset notAfter, bool clientAuth, string? usageOid = null)
    {
        var (root, rootKey) = _root.Value;
        var request = new CertificateRequest(DeviceCertificates.SubjectFor(subject), publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(usageOid ?? (clientAuth ? DeviceCertificates.ClientAuthenticationOid : DeviceCertificates.ServerAuthenticationOid))], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        if (notAfter > root.NotAfter)
        {
            notAfter = root.NotAfter;
        }

        var serial = RandomSerial();
        var certificate = request.Create(root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), notBefore, notAfter, serial);
        _registry.RecordIssued(subject, certificate.SerialNumber, notAfter);
        Issued.Remember(certificate);
        return certificate;
    }

    /// <summary>
    /// Validates a client certificate presented on the gRPC port or to the broker: issued by this authority,
    /// valid now, for client authentication, not revoked, with one common name.
    /// </summary>
    public CertificateCheck Validate(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return CertificateCheck.Refused("no client certificate");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // our own list, below
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(DeviceCertificates.ClientAuthenticationOid));
        if (!chain.Build(certificate))
        {
            var reasons = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()));
            return CertificateCheck.Refused($"certificate {certificate.SerialNumber} not accepted: {reasons}");
        }

        if (DeviceCertificates.CommonName(certificate) is not { } name)
        {
            return CertificateCheck.Refused($"certificate {certificate.SerialNumber} has no single common name");
        }

        if (_registry.IsRevoked(certificate.SerialNumber))
        {
            return CertificateCheck.Refused($"certificate {certificate.SerialNumber} of {name} is revoked");
        }

        Issued.Remember(certificate); // one issued before the store existed: its custody signatures must verify too
        return CertificateCheck.Accepted(name);
    }

    /// <summary>The revocation list (PEM) of every revoked, unexpired certificate, for an external broker (mosquitto <c>crlfile</c>).</summary>
    public string BuildRevocationListPem()
    {
        var (root, rootKey) = _root.Value;
        var builder = new CertificateRevocationListBuilder();
        foreach (var (serial, at) in _registry.RevokedSerials())
        {
            builder.AddEntry(Convert.FromHexString(serial), at, X509RevocationReason.CessationOfOperation);
        }

        var now = _time.GetUtcNow();
        var number = new BigInteger(now.ToUnixTimeMilliseconds());
        var der = builder.Build(root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), number, now + TimeSpan.FromDays(7),
            HashAlgorithmName.SHA256, X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false), now);
        return PemEncoding.WriteString("X509 CRL", der);
    }

    /// <summary>
    /// Writes the revocation list (<see cref="IdentityOptions.RevocationListFile"/>, or <c>crl.pem</c> beside the root), for
    /// brokers that read one. Built from the registry, so on the shared database it holds every instance's revocations.
    /// </summary>
    public string WriteRevocationList()
    {
        var path = _options.RevocationListFile is { Length: > 0 } given ? Path.GetFullPath(given) : Path.Combine(_directory, "crl.pem");
        PrivateFile.WritePublicText(path, BuildRevocationListPem());
        return path;
    }

    private (X509Certificate2, ECDsa) LoadOrCreateRoot()
    {
        if (_options.CaCertificateFile is { Length: > 0 } certificateFile && _options.CaKeyFile is { Length: > 0 } keyFile)
        {
            return LoadRoot(certificateFile, keyFile, "configured");
        }

        var certificatePath = Path.Combine(_directory, CaCertificateName);
        var keyPath = Path.Combine(_directory, CaKeyName);
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            return LoadRoot(certificatePath, keyPath, "generated earlier");
        }

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=FleetControl Device CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = _time.GetUtcNow();
        var root = request.CreateSelfSigned(now - ClockSkewAllowance, now.AddYears(20));
        PrivateFile.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        PrivateFile.WritePublicText(certificatePath, root.ExportCertificatePem());
        Log.RootCreated(_logger, certificatePath, root.Thumbprint);
        return (X509CertificateLoader.LoadCertificate(root.RawData), key);
    }

    private (X509Certificate2, ECDsa) LoadRoot(string certificateFile, string keyFile, string origin)
    {
        if (PrivateFile.IsTooOpen(keyFile))
        {
            throw new InvalidOperationException($"Identity configuration: the CA key '{keyFile}' is readable by others; chmod 600 it.");
        }

        using var pem = X509Certificate2.CreateFromPem(File.ReadAllText(certificateFile));
        var root = X509CertificateLoader.LoadCertificate(pem.RawData);
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(keyFile));
        using (var publicKey = root.GetECDsaPublicKey())
        {
            if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw new InvalidOperationException($"Identity configuration: the key '{keyFile}' does not belong to the CA certificate '{certificateFile}' (it must be ECDSA).");
            }
        }

        Log.RootLoaded(_logger, origin, Path.GetFullPath(certificateFile), root.Thumbprint);
        return (X509CertificateLoader.LoadCertificate(root.RawData), key);
    }

    private X509Certificate2 IssueServerCertificate()
    {
        var (root, rootKey) = _root.Value;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=FleetControl", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(Environment.MachineName);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var name in _options.ServerNames)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(DeviceCertificates.ServerAuthenticationOid)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        var now = _time.GetUtcNow();
        var notAfter = now.AddDays(365) > root.NotAfter ? root.NotAfter : now.AddDays(365);
        using var issued = request.Create(root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), now - ClockSkewAllowance, notAfter, RandomSerial());
        return DeviceCertificates.WithPrivateKey(issued, key);
    }

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        serial[0] |= 0x01; // and no leading zero byte, so the hex form is stable
        return serial;
    }
}
