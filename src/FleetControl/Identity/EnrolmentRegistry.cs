using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FleetControl.Identity;

/// <summary>
/// What the authority remembers: per device the SHA-256 of its pending enrolment token and when it expires (the
/// token itself is never stored or logged), and the serial numbers issued to it, revoked or not. Revoking a device
/// revokes every certificate it holds and raises <see cref="DeviceRevoked"/>, on which the broker and the gRPC port
/// drop its live sessions. Kept in <c>{DataDirectory}/identity/devices.json</c> (<see cref="FileEnrolmentRegistry"/>,
/// the default) or, under <c>Store:Provider=PostgreSql</c>, in the shared database (<see cref="PostgreSqlEnrolmentRegistry"/>),
/// so that a device enrolled through one instance is trusted, renewed and revoked through every other.
/// </summary>
internal abstract class EnrolmentRegistry(TimeProvider time)
{
    private protected static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>How long a certificate is kept after it expired, revoked or not.</summary>
    private protected static readonly TimeSpan KeepExpired = TimeSpan.FromDays(1);

    /// <summary>The clock.</summary>
    private protected TimeProvider Time { get; } = time;

    /// <summary>Raised (outside any lock) with the device id after a revocation is durable.</summary>
    public event Action<string>? DeviceRevoked;

    /// <summary>
    /// A new one-time enrolment token for <paramref name="deviceId"/>, replacing any unused one. Returned
    /// once; only its hash is kept.
    /// </summary>
    public (string Token, DateTimeOffset ExpiresAt) CreateToken(string deviceId, TimeSpan lifetime)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var expires = Time.GetUtcNow() + lifetime;
        Change(deviceId, (record, _) =>
        {
            record.TokenHash = Hash(token);
            record.TokenExpiresAt = expires;
            return true;
        });
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
        const string NonePending = "no enrolment token is pending for this device (used already, replaced, or never issued)";
        var presented = Convert.FromHexString(Hash(token));
        var now = Time.GetUtcNow();
        var outcome = Change(deviceId, (record, _) =>
        {
            if (record.TokenHash is null)
            {
                if (record.RedeemedTokenHash is not null && record.RedeemedKey is not null && record.RedeemedUntil > now
                    && CryptographicOperations.FixedTimeEquals(presented, Convert.FromHexString(record.RedeemedTokenHash))
                    && string.Equals(record.RedeemedKey, keyFingerprint, StringComparison.Ordinal))
                {
                    return string.Empty;
                }

                return NonePending;
            }

            if (!CryptographicOperations.FixedTimeEquals(presented, Convert.FromHexString(record.TokenHash)))
            {
                return "the enrolment token is not the one issued to this device";
            }

            var expired = record.TokenExpiresAt is { } at && at <= now;
            record.RedeemedTokenHash = expired ? null : record.TokenHash;
            record.RedeemedKey = expired ? null : keyFingerprint;
            record.RedeemedUntil = expired ? null : record.TokenExpiresAt;
            record.TokenHash = null; // one use, also when it has expired
            record.TokenExpiresAt = null;
            return expired ? "the enrolment token has expired" : string.Empty;
        });
        reason = outcome;
        return reason.Length == 0;
    }

    /// <summary>Records that a certificate with <paramref name="serial"/> was issued to <paramref name="subject"/>.</summary>
    public void RecordIssued(string subject, string serial, DateTimeOffset notAfter) =>
        Change(subject, (record, _) =>
        {
            record.Certificates.Add(new IssuedCertificate { Serial = serial.ToUpperInvariant(), NotAfter = notAfter });
            return true;
        });

    /// <summary>Revokes every certificate issued to <paramref name="deviceId"/> and any pending token; returns how many certificates.</summary>
    public int Revoke(string deviceId)
    {
        var now = Time.GetUtcNow();
        int? count = Change(deviceId, (record, known) =>
        {
            if (!known)
            {
                return null;
            }

            var revoked = 0;
            foreach (var certificate in record.Certificates.Where(c => c.RevokedAt is null))
            {
                certificate.RevokedAt = now;
                revoked++;
            }

            record.TokenHash = null;
            record.TokenExpiresAt = null;
            record.RedeemedTokenHash = null; // a revoked device cannot come back with its spent token either
            record.RedeemedKey = null;
            record.RedeemedUntil = null;
            return (int?)revoked;
        });
        if (count is null)
        {
            return 0;
        }

        DeviceRevoked?.Invoke(deviceId);
        return count.Value;
    }

    /// <summary>Whether the certificate with this serial (hex, as <c>X509Certificate2.SerialNumber</c>) is revoked.</summary>
    public abstract bool IsRevoked(string serial);

    /// <summary>Revoked certificates not yet expired (for a day), for a revocation list.</summary>
    public abstract IReadOnlyList<(string Serial, DateTimeOffset RevokedAt)> RevokedSerials();

    /// <summary>A device's identity state for the REST API, or null when the authority has never heard of it.</summary>
    public DeviceIdentityDto? Describe(string deviceId)
    {
        if (Find(deviceId) is not { } record)
        {
            return null;
        }

        var now = Time.GetUtcNow();
        var valid = record.Certificates.Where(c => c.RevokedAt is null && c.NotAfter > now).ToList();
        return new DeviceIdentityDto(
            deviceId,
            record.TokenHash is not null && record.TokenExpiresAt > now,
            record.TokenExpiresAt,
            valid.Count,
            valid.Count == 0 ? null : valid.Max(c => c.NotAfter),
            record.Certificates.Count(c => c.RevokedAt is not null));
    }

    /// <summary>The device's record as stored, or null.</summary>
    private protected abstract DeviceIdentityRecord? Find(string deviceId);

    /// <summary>
    /// Runs <paramref name="change"/> on the device's record (a new, empty one when there is none; the flag says whether
    /// it was known) atomically against every other change to that device, on this instance and on any other; stores
    /// the record afterwards unless it was new and is still empty (nothing to remember about a device never heard of).
    /// Certificates expired for <see cref="KeepExpired"/> are dropped on the way. Returns what the change returned.
    /// </summary>
    private protected abstract T Change<T>(string deviceId, Func<DeviceIdentityRecord, bool, T> change);

    /// <summary>True when <paramref name="record"/> holds nothing worth keeping.</summary>
    private protected static bool IsEmpty(DeviceIdentityRecord record) =>
        record.TokenHash is null && record.RedeemedTokenHash is null && record.Certificates.Count == 0;

    /// <summary>Drops certificates expired for a day, revoked or not.</summary>
    private protected void Prune(DeviceIdentityRecord record)
    {
        var cutoff = Time.GetUtcNow() - KeepExpired;
        record.Certificates.RemoveAll(c => c.NotAfter < cutoff);
    }

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
