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

    /// <summary>
    /// Bound on each LiteDB database's page cache (outbox, retained history): after its first 62 pages it grows by
    /// at most this many 8 KiB pages and re-uses idle ones beyond that, about (162 + this) pages per database;
    /// 0 keeps LiteDB's own growth, up to 1,662 pages (13 MiB) each. See <c>EdgeGateway.Storage.LiteDbCacheLimit</c>.
    /// </summary>
    [Range(0, 100_000)]
    public int DatabaseCacheSegmentPages { get; set; } = DefaultDatabaseCacheSegmentPages;

    /// <summary>Default of <see cref="DatabaseCacheSegmentPages"/>: 100 pages, a cache of ~2 MiB per database.</summary>
    public const int DefaultDatabaseCacheSegmentPages = 100;
}
