using System.ComponentModel.DataAnnotations;
using System.Net;

namespace FleetControl.Tetra;

/// <summary>FleetControl's TETRA gateway, the dispatcher side of SDS (configuration section <c>Tetra</c>).</summary>
internal sealed class TetraGatewayOptions : IValidatableObject
{
    public const string SectionName = "Tetra";

    /// <summary>Whether the gateway listens for the network's SDS link. Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>Address the network link listens on.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Port of the network link (<c>SDS calling called hex</c> lines). 0 picks a free port.</summary>
    public int Port { get; set; } = 5090;

    /// <summary>The gateway's own ISSI: SDS addressed to it are FleetControl's.</summary>
    public string Issi { get; set; } = "9000";

    /// <summary>
    /// Which device each terminal belongs to (ISSI → device id). Over TETRA the ISSI is the identity: an
    /// envelope is stored only if it comes from the ISSI of the device it names.
    /// </summary>
    public Dictionary<string, string> Terminals { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The pre-coded status value that means "emergency" (EN 300 392-2 clause 14.8.34: 0).</summary>
    public int EmergencyStatus { get; set; }

    /// <summary>
    /// How long a compact envelope that came in several SDS waits for a missing segment after its latest one; then
    /// the partial envelope is dropped and counted (the gateway, which never saw "consumed", sends it again whole).
    /// </summary>
    public TimeSpan SegmentTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!IPAddress.TryParse(BindAddress, out _))
        {
            yield return new ValidationResult($"{SectionName}:BindAddress '{BindAddress}' is not an IP address.", [nameof(BindAddress)]);
        }

        if (Port is < 0 or > 65535)
        {
            yield return new ValidationResult($"{SectionName}:Port must be 0-65535.", [nameof(Port)]);
        }

        if (!IsIssi(Issi))
        {
            yield return new ValidationResult($"{SectionName}:Issi '{Issi}' must be the ISSI digits.", [nameof(Issi)]);
        }

        if (SegmentTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{SectionName}:SegmentTimeout must be positive.", [nameof(SegmentTimeout)]);
        }

        foreach (var (issi, device) in Terminals)
        {
            if (!IsIssi(issi) || string.IsNullOrWhiteSpace(device))
            {
                yield return new ValidationResult($"{SectionName}:Terminals:{issi} must map ISSI digits to a device id.", [nameof(Terminals)]);
            }
        }
    }

    private static bool IsIssi(string text) => text.Length is > 0 and <= 24 && text.All(char.IsAsciiDigit);
}
