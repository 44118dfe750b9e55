namespace FleetControl.Store;

/// <summary>What a device tells DeviceRegistry.Register about itself.</summary>
internal sealed record DeviceRegistration(
    string DeviceId,
    string Role,
    string SoftwareVersion,
    string Hostname,
    IReadOnlyList<string> Capabilities,
    DateTimeOffset RegisteredAt);
