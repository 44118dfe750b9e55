using System.Security.Cryptography;

namespace FleetControl.Mqtt;

/// <summary>
/// How FleetControl's own ingest client proves itself to the embedded broker: a random password made
/// at start-up that never leaves the process, so a device cannot pose as the ingest client.
/// </summary>
internal sealed class IngestClientIdentity
{
    public const string UserName = "fleetcontrol";

    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
}
