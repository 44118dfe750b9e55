using System.Text.Json;
using EdgeGateway.Contracts.Security;
using FleetControl.Hosting;
using Microsoft.Extensions.Options;

namespace FleetControl.Identity;

/// <summary>
/// The <see cref="EnrolmentRegistry"/> of one instance (the default): <c>{DataDirectory}/identity/devices.json</c>,
/// mode 0600, replaced atomically on every change.
/// </summary>
internal sealed class FileEnrolmentRegistry : EnrolmentRegistry
{
    private readonly string _path;
    private readonly Lock _gate = new();
    private readonly Lazy<Dictionary<string, DeviceIdentityRecord>> _devices;
    private volatile HashSet<string> _revokedSerials = new(StringComparer.OrdinalIgnoreCase);

    public FileEnrolmentRegistry(IOptions<FleetControlOptions> fleet, TimeProvider time)
        : this(CertificateAuthority.IdentityDirectory(fleet.Value), time)
    {
    }

    /// <summary>The registry kept in <paramref name="identityDirectory"/> (offline tools such as <c>evidence verify</c>).</summary>
    public FileEnrolmentRegistry(string identityDirectory, TimeProvider time)
        : base(time)
    {
        _path = Path.Combine(identityDirectory, "devices.json");
        _devices = new Lazy<Dictionary<string, DeviceIdentityRecord>>(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The file the registry is kept in.</summary>
    public string FilePath => _path;

    /// <summary>Every device's record (copies are not made: for a one-time import).</summary>
    internal IReadOnlyDictionary<string, DeviceIdentityRecord> Records()
    {
        lock (_gate)
        {
            return new Dictionary<string, DeviceIdentityRecord>(_devices.Value, StringComparer.Ordinal);
        }
    }

    /// <inheritdoc/>
    public override bool IsRevoked(string serial)
    {
        _ = _devices.Value;
        return _revokedSerials.Contains(serial);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Serial, DateTimeOffset RevokedAt)> RevokedSerials()
    {
        lock (_gate)
        {
            return _devices.Value.Values.SelectMany(r => r.Certificates)
                .Where(c => c.RevokedAt is not null)
                .Select(c => (c.Serial, c.RevokedAt!.Value))
                .ToList();
        }
    }

    /// <inheritdoc/>
    private protected override DeviceIdentityRecord? Find(string deviceId)
    {
        lock (_gate)
        {
            return _devices.Value.GetValueOrDefault(deviceId);
        }
    }

    /// <inheritdoc/>
    private protected override T Change<T>(string deviceId, Func<DeviceIdentityRecord, bool, T> change)
    {
        lock (_gate)
        {
            var devices = _devices.Value;
            var known = devices.TryGetValue(deviceId, out var record);
            record ??= new DeviceIdentityRecord();
            var result = change(record, known);
            if (!known && IsEmpty(record))
            {
                return result;
            }

            devices[deviceId] = record;
            foreach (var each in devices.Values)
            {
                Prune(each);
            }

            PrivateFile.WriteAllBytes(_path, JsonSerializer.SerializeToUtf8Bytes(devices, Json));
            _revokedSerials = RevokedSet(devices);
            return result;
        }
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

    private static HashSet<string> RevokedSet(Dictionary<string, DeviceIdentityRecord> devices) =>
        devices.Values.SelectMany(r => r.Certificates).Where(c => c.RevokedAt is not null)
            .Select(c => c.Serial).ToHashSet(StringComparer.OrdinalIgnoreCase);
}
