using System.ComponentModel.DataAnnotations;

namespace EdgeGateway.Hosting;

/// <summary>Identity and local storage of this gateway (configuration section <c>Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Gateway";

    /// <summary>Fleet-unique device id; one MQTT topic level, so letters, digits, '-', '_' and '.' only.</summary>
    [Required(ErrorMessage = "Gateway:DeviceId is required: no shipped profile carries one, so set it for this machine in /etc/edgegateway/appsettings.json, as Gateway__DeviceId or --Gateway:DeviceId=ID.")]
    [RegularExpression(@"^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Gateway:DeviceId must be 1-64 characters of letters, digits, '.', '_' or '-'.")]
    public string DeviceId { get; set; } = string.Empty;

    /// <summary>Vehicle or Dock.</summary>
    public GatewayRole Role { get; set; } = GatewayRole.Vehicle;

    /// <summary>Directory for the outbox database, evidence staging and custody logs.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>FleetControl's gRPC endpoint (HTTP/2 over mutual TLS: enrolment, registration, evidence upload).</summary>
    [Required]
    [Url]
    public string FleetControlUrl { get; set; } = "https://127.0.0.1:5081";
}
