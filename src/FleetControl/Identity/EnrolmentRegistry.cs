using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeGateway.Contracts.Security;
using FleetControl.Hosting;
using Microsoft.Extensions.Options;

namespace FleetControl.Identity;

/// <summary>
/// What the authority remembers, in <c>{DataDirectory}/identity/devices.json</c> (mode 0600, replaced
/// atomically on every change): per device the SHA-256 of its pending enrolment token and when it expires
/// (the token itself is never stored or logged), and the serial numbers issued to it, revoked or not.
/// Revoking a device revokes every certificate it holds and raises <see cref="DeviceRevoked"/>, on which
/// the broker and the gRPC port drop its live sessions.
/// </summary>
internal sealed class EnrolmentRegistry
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Lazy<Dictionary<string, DeviceIdentityRecord>> _devices;
    private volatile HashSet<string> _revokedSerials = new(StringComparer.OrdinalIgnoreCase);

    public EnrolmentRegistry(IOptions<FleetControlOptions> fleet, TimeProvider time)
        : this(CertificateAuthority.IdentityDirectory(fleet.Value), time)
    {
    }

    /// <summary>The registry kept in <paramref name="identityDirectory"/> (offline tools such as <c>evidence verify</c>).</summary>
    public EnrolmentRegistry(string identityDirectory, TimeProvider time)
    {
        _path = Path.Combine(identityDirectory, "devices.json");
        _time = time;
        _devices = new Lazy<Dictionary<string, DeviceIdentityRecord>>(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Raised (outside the lock) with the device id after a revocation is durable.</summary>
    public event Action<string>? DeviceRevoked;

    /// <summary>
    /// A new one-time enrolment token for <paramref name="deviceId"/>, replacing any unused one. Returned
    /// once; only its hash is kept.
    /// </summary>
    public (string Token, DateTimeOffset ExpiresAt) CreateToken(string deviceId, TimeSpan lifetime)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var expires = _time.GetUtcNow() + lifetime;
        lock (_gate)
        {
            var record = GetOrAdd(deviceId);
            record.TokenHash = Hash(token);
            record.TokenExpiresAt = expires;
            Save();
        }

        return (token, expires);
    }

    /// <summary>
    /// Uses up <paramref name="token"/> for <paramref name="deviceId"/>: true once for an unexpired token issued to
    /// this device; a replay, another device's token or an expired one is refused with a reason. The one exception
    /// is the same key asking again (<paramref name="keyFingerprint"/>, proven by the CSR's signature) before the
    /// token's expiry: a gateway killed after the certificate was issued but before it was saved would otherwise
    /// be locked out for good. It gets a new certificate for the key it already holds, nothing more.
    /// </summary>
    public bool TryRedeem(string deviceId, string token, string keyFingerprint, out string reason)
    {
        lock (_gate)
        {
            if (!_devices.Value.TryGetValue(deviceId, out var record))
            {
                reason = "no enrolment token is pending for this device (used already, replaced, or never issued)";
                return false;
            }

            var presented = Convert.FromHexString(Hash(token));
            var now = _time.GetUtcNow();
            if (record.TokenHash is null)
            {
                if (record.RedeemedTokenHash is not null && record.RedeemedKey is not null && record.RedeemedUntil > now
                    && CryptographicOperations.FixedTimeEquals(presented, Convert.FromHexString(record.RedeemedTokenHash))
                    && string.Equals(record.RedeemedKey, keyFingerprint, StringComparison.Ordinal))
                {
                    reason = string.Empty;
                    return true;
                }

                reason = "no enrolment token is pending for this device (used already, replaced, or never issued)";
                return false;
            }

            if (!CryptographicOperations.FixedTimeEquals(presented, Convert.FromHexString(record.TokenHash)))
            {
                reason = "the enrolment token is not the one issued to this device";
                return false;
            }

            var expired = record.TokenExpiresAt is { } at && at <= now;
            record.RedeemedTokenHash = expired ? null : record.TokenHash;
            record.RedeemedKey = expired ? null : keyFingerprint;
            record.RedeemedUntil = expired ? null : record.TokenExpiresAt;
            record.TokenHash = null; // one use, also when it has expired
            record.TokenExpiresAt = null;
            Save();
            if (expired)
            {
                reason = "the enrolment token has expired";
                return false;
            }

            reason = string.Empty;
            return true;
        }
    }

    /// <summary>Records that a certificate with <paramref name="serial"/> was issued to <paramref name="subject"/>.</summary>
    public void RecordIssued(string subject, string serial, DateTimeOffset notAfter)
    {
        lock (_gate)
        {
            var record = GetOrAdd(subject);
            record.Certificates.Add(new IssuedCertificate { Serial = serial, NotAfter = notAfter });
            Save();
        }
    }

    /// <summary>Revokes every certificate issued to <paramref name="deviceId"/> and any pending token; returns how many certificates.</summary>
    public int Revoke(string deviceId)
    {
        int count;
        lock (_gate)
        {
            if (!_devices.Value.TryGetValue(deviceId, out var record))
            {
                return 0;
            }

            var now = _time.GetUtcNow();
            count = 0;
            foreach (var certificate in record.Certificates.Where(c => c.RevokedAt is null))
            {
                certificate.RevokedAt = now;
                count++;
            }

            record.TokenHash = null;
            record.TokenExpiresAt = null;
            record.RedeemedTokenHash = null; // a revoked device cannot come back with its spent token either
            record.RedeemedKey = null;
            record.RedeemedUntil = null;
            Save();
        }

        DeviceRevoked?.Invoke(deviceId);
        return count;
    }

    /// <summary>Whether the certificate with this serial (hex, as <c>X509Certificate2.SerialNumber</c>) is revoked.</summary>
    public bool IsRevoked(string serial)
    {
        _ = _devices.Value;
        return _revokedSerials.Contains(serial);
    }

    /// <summary>Revoked certificates not yet expired, for a revocation list.</summary>
    public IReadOnlyList<(string Serial, DateTimeOffset RevokedAt)> RevokedSerials()
    {
        lock (_gate)
        {
            return _devices.Value.Values.SelectMany(r => r.Certificates)
                .Where(c => c.RevokedAt is not null)
                .Select(c => (c.Serial, c.RevokedAt!.Value))
                .ToList();
        }
    }

    /// <summary>A device's identity state for the REST API, or null when the authority has never heard of it.</summary>
    public DeviceIdentityDto? Describe(string deviceId)
    {
        lock (_gate)
        {
            if (!_devices.Value.TryGetValue(deviceId, out var record))
            {
                return null;
            }

            var now = _time.GetUtcNow();
            var valid = record.Certificates.Where(c => c.RevokedAt is null && c.NotAfter > now).ToList();
            return new DeviceIdentityDto(
                deviceId,
                record.TokenHash is not null && record.TokenExpiresAt > now,
                record.TokenExpiresAt,
                valid.Count,
                valid.Count == 0 ? null : valid.Max(c => c.NotAfter),
                record.Certificates.Count(c => c.RevokedAt is not null));
        }
    }

    private DeviceIdentityRecord GetOrAdd(string deviceId)
    {
        var devices = _devices.Value;
        if (!devices.TryGetValue(deviceId, out var record))
        {
            record = new DeviceIdentityRecord();
            devices[deviceId] = record;
        }

        return record;
    }

    private Dictionary<string, DeviceIdentityRecord> Load()
    {
        var devices = File.Exists(_path)
            ? JsonSerializer.Deserialize<Dictionary<string, DeviceIdentityRecord>>(File.ReadAllBytes(_path), Json)
              ?? throw new InvalidDataException($"{_path} is empty")
            : new Dictionary<string, DeviceIdentityRecord>(StringComparer.Ordinal);
        _revokedSerials = RevokedSet(devices);
        return new Dictionary<string, DeviceIdentityRecord>(devices, StringComparer.Ordinal);
    }

    /// <summary>Writes the state (under the lock); certificates expired for a day are dropped, revoked or not.</summary>
    private void Save()
    {
        var devices = _devices.Value;
        var cutoff = _time.GetUtcNow() - TimeSpan.FromDays(1);
        foreach (var record in devices.Values)
        {
            record.Certificates.RemoveAll(c => c.NotAfter < cutoff);
        }

        PrivateFile.WriteAllBytes(_path, JsonSerializer.SerializeToUtf8Bytes(devices, Json));
        _revokedSerials = RevokedSet(devices);
    }

    private static HashSet<string> RevokedSet(Dictionary<string, DeviceIdentityRecord> devices) =>
        devices.Values.SelectMany(r => r.Certificates).Where(c => c.RevokedAt is not null)
            .Select(c => c.Serial).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>One device (or service client) as stored.</summary>
    internal sealed class DeviceIdentityRecord
    {
        public string? TokenHash { get; set; }

        public DateTimeOffset? TokenExpiresAt { get; set; }

        /// <summary>The last redeemed token (hash), the key it was redeemed for (SHA-256 of its SubjectPublicKeyInfo) and the token's expiry.</summary>
        public string? RedeemedTokenHash { get; set; }

        public string? RedeemedKey { get; set; }

        public DateTimeOffset? RedeemedUntil { get; set; }

        public List<IssuedCertificate> Certificates { get; set; } = [];
    }

    /// <summary>One issued certificate.</summary>
    internal sealed class IssuedCertificate
    {
        public string Serial { get; set; } = string.Empty;

        public DateTimeOffset NotAfter { get; set; }

        public DateTimeOffset? RevokedAt { get; set; }
    }
}
